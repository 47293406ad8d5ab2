#!/usr/bin/perl
# msg-sign.pl -- sign a message with Mail::DKIM (libmail-dkim-perl), for samples/messages.
#
#   perl msg-sign.pl --key K.private --domain D --selector S [--canon relaxed/relaxed]
#        [--time UNIXTIME] [--body-length] < message > signed
#
# Reads a message with LF line ends, signs its CRLF form (what goes over SMTP) with
# rsa-sha256, and prints the DKIM-Signature header followed by the unchanged message,
# all with LF line ends.  Mail::DKIM returns the header CRLF-folded; it is normalised to LF
# here because a file with mixed line ends does not verify.
# --body-length adds l= equal to the canonical length of the whole body, so that text
# appended later (a list footer) is outside the signed part.
# Mail::DKIM 1.20230212 (Debian 12) cannot sign ed25519; the opendkim milter does that.
use strict;
use warnings;
use Getopt::Long;
use Mail::DKIM::Signer;
use Mail::DKIM::Signature;
use Mail::DKIM::PrivateKey;
use Mail::DKIM::TextWrap;    # makes prettify() fold the header before it is signed

my ( $keyfile, $domain, $selector, $canon, $time, $bodylen ) =
  ( undef, undef, undef, 'relaxed/relaxed', undef, 0 );
GetOptions(
    'key=s'       => \$keyfile,
    'domain=s'    => \$domain,
    'selector=s'  => \$selector,
    'canon=s'     => \$canon,
    'time=i'      => \$time,
    'body-length' => \$bodylen,
) or die "usage: msg-sign.pl --key FILE --domain D --selector S\n";
die "msg-sign.pl: --key, --domain and --selector are required\n"
  unless $keyfile && $domain && $selector;

my $msg = do { local $/; <STDIN> };
$msg =~ s/\r\n/\n/g;
my ( $head, $body ) = split /\n\n/, $msg, 2;
$body = '' unless defined $body;

# canonical body length (RFC 6376 s3.4.3 / s3.4.4), for l=
sub canon_body_len {
    my ( $b, $how ) = @_;
    my @l = split /\n/, $b, -1;
    pop @l if @l && $l[-1] eq '';    # the final line end
    if ( $how eq 'relaxed' ) {
        for (@l) { s/[ \t]+/ /g; s/ $//; }
    }
    pop @l while @l && $l[-1] eq '';
    return 2 if !@l && $how eq 'simple';    # an empty body is one CRLF
    return 0 unless @l;
    my $n = 0;
    $n += length($_) + 2 for @l;
    return $n;
}

my $key = Mail::DKIM::PrivateKey->load( File => $keyfile );
my ( undef, $bcanon ) = split m{/}, $canon;
$bcanon ||= 'simple';

my $dkim = Mail::DKIM::Signer->new(
    Policy => sub {
        my $signer = shift;
        my $sig    = Mail::DKIM::Signature->new(
            Algorithm => 'rsa-sha256',
            Method    => $canon,
            Headers   => $signer->headers,
            Domain    => $domain,
            Selector  => $selector,
            Key       => $key,
            ( defined $time ? ( Timestamp => $time ) : () ),
        );
        $sig->body_count( canon_body_len( $body, $bcanon ) ) if $bodylen;
        $signer->add_signature($sig);
        return;
    },
);
my $crlf = $msg;
$crlf =~ s/\n/\r\n/g;
$dkim->PRINT($crlf);
$dkim->CLOSE;
my ($sig) = $dkim->signatures;
die "msg-sign.pl: no signature made\n" unless $sig;
$sig->prettify_safe;    # folds b= only, which the signature does not cover
my $h = $sig->as_string;
$h =~ s/\r\n/\n/g;
$h =~ s/\r//g;
print $h, "\n", $msg;

#!/usr/bin/perl
# msg-verify.pl -- what the Perl reference implementations say about a sample message.
#
#   RES_NAMESERVERS=127.0.0.1 RES_OPTIONS=port:PORT perl msg-verify.pl NAME.eml [NAME.env]
#
# Prints one line per DKIM signature (Mail::DKIM::Verifier), and, when the .env sidecar is
# given, the SPF result (Mail::SPF) for the original delivery (CLIENT_IP, HELO, MAIL_FROM)
# and for a plain forward from the new host (FWD_IP, FWD_HELO, same MAIL FROM), and the
# DMARC result (Mail::DMARC) for both.  DNS goes to the resolver named by RES_NAMESERVERS /
# RES_OPTIONS (Net::DNS reads both), i.e. the sample zones served on loopback.
use strict;
use warnings;
use Mail::DKIM::Verifier;

my ( $file, $envfile ) = @ARGV;
die "usage: msg-verify.pl MESSAGE [ENVFILE]\n" unless defined $file;

open my $fh, '<', $file or die "msg-verify.pl: $file: $!\n";
my $msg = do { local $/; <$fh> };
close $fh;
$msg =~ s/\r\n/\n/g;
$msg =~ s/\A(?:From [^\n]*\n)//;    # an mbox From_ line is not part of the message

my $v = Mail::DKIM::Verifier->new;
( my $crlf = $msg ) =~ s/\n/\r\n/g;
$v->PRINT($crlf);
$v->CLOSE;
my @dkim;
my @sigs = $v->signatures;
if ( !@sigs ) {
    print "mail-dkim: none\n";
}
for my $s (@sigs) {
    my $d = $s->domain // '';
    my $r = $s->result // '';
    push @dkim, { domain => $d, selector => $s->selector, result => $r };
    printf "mail-dkim: d=%s s=%s a=%s result=%s%s\n", $d, $s->selector // '',
      $s->algorithm // '', $r,
      ( $s->result_detail && $s->result_detail ne $r ? " (" . $s->result_detail . ")" : '' );
}

exit 0 unless defined $envfile;

my %env;
open my $ef, '<', $envfile or die "msg-verify.pl: $envfile: $!\n";
while (<$ef>) {
    next if /^\s*(#|$)/;
    chomp;
    my ( $k, $val ) = split /=/, $_, 2;
    $env{$k} = $val;
}
close $ef;

# header From domains (for DMARC)
my ($head) = split /\n\n/, $msg, 2;
$head =~ s/\n[ \t]+/ /g;
my @from = map { /^From:\s*(.*)$/i ? $1 : () } split /\n/, $head;
my @fromdom;
for my $f (@from) {
    push @fromdom, lc $1 while $f =~ /\@([A-Za-z0-9.-]+)/g;
}

# Mail::DMARC refuses domains whose TLD is not in the Public Suffix List; ".example" is
# not, so give it a private config whose list has that TLD added.
sub dmarc_config {
    require File::Temp;
    require Mail::DMARC;
    my $dir = File::Temp::tempdir( CLEANUP => 1 );
    my ($ini) = grep { -f } map { "$_/auto/share/dist/Mail-DMARC/mail-dmarc.ini" } @INC;
    my $psl = '/usr/share/publicsuffix/public_suffix_list.dat';
    return unless $ini;
    open my $in, '<', $ini or return;
    open my $out, '>', "$dir/mail-dmarc.ini" or return;
    while (<$in>) {
        s/^public_suffix_list\s*=.*$/public_suffix_list = $dir\/psl.dat/;
        print $out $_;
    }
    close $out;
    open my $p, '>', "$dir/psl.dat" or return;
    if ( open my $sys, '<', $psl ) { print $p $_ while <$sys>; }
    print $p "example\n";
    close $p;
    $ENV{MAIL_DMARC_CONFIG_FILE} = "$dir/mail-dmarc.ini";
}
dmarc_config();

require Mail::SPF;
my $spf = Mail::SPF::Server->new;

sub spf_check {
    my ( $ip, $helo, $mfrom ) = @_;
    my $req = $mfrom ne ''
      ? Mail::SPF::Request->new( scope => 'mfrom', identity => $mfrom,
        ip_address => $ip, helo_identity => $helo )
      : Mail::SPF::Request->new( scope => 'helo', identity => $helo, ip_address => $ip );
    my $res = $spf->process($req);
    my $dom = $mfrom ne '' ? ( $mfrom =~ /\@(.*)$/ ? lc $1 : lc $helo ) : lc $helo;
    return ( $res->code, $dom );
}

sub dmarc_check {
    my ( $spfres, $spfdom, $scope ) = @_;
    return 'none (no From address)'         if !@fromdom;
    my @out;
    my %seen;
    for my $fd ( grep { !$seen{$_}++ } @fromdom ) {
        my $ok = eval {
            require Mail::DMARC::PurePerl;
            my $dm = Mail::DMARC::PurePerl->new;
            $dm->header_from($fd);
            $dm->spf( domain => $spfdom, scope => $scope, result => $spfres );
            # Mail::DMARC knows RFC 8601 result names; Mail::DKIM says "invalid"
            # for a signature it cannot evaluate (an unknown algorithm, a bad key)
            $dm->dkim( [ map { { domain => $_->{domain}, selector => $_->{selector},
                        result => ( $_->{result} eq 'invalid' ? 'permerror' : $_->{result} ) } } @dkim ] );
            my $r = $dm->validate;
            push @out, sprintf '%s: %s (policy %s, dkim %s, spf %s)', $fd,
              $r->result, $r->published ? $r->published->p // '?' : 'none',
              $r->dkim // '-', $r->spf // '-';
            1;
        };
        push @out, "$fd: error ($@)" unless $ok;
    }
    return join '; ', @out;
}

my $mfrom = $env{MAIL_FROM} // '';
my ( $r1, $d1 ) = spf_check( $env{CLIENT_IP}, $env{HELO}, $mfrom );
printf "mail-spf original: %s (%s from %s, helo %s)\n", $r1,
  ( $mfrom ne '' ? "mfrom $mfrom" : "helo identity" ), $env{CLIENT_IP}, $env{HELO};
printf "mail-dmarc original: %s\n", dmarc_check( $r1, $d1, $mfrom ne '' ? 'mfrom' : 'helo' );
if ( $env{FWD_IP} ) {
    my ( $r2, $d2 ) = spf_check( $env{FWD_IP}, $env{FWD_HELO}, $mfrom );
    printf "mail-spf plain-forward: %s (from %s, helo %s)\n", $r2, $env{FWD_IP}, $env{FWD_HELO};
    printf "mail-dmarc plain-forward: %s\n",
      dmarc_check( $r2, $d2, $mfrom ne '' ? 'mfrom' : 'helo' );
}

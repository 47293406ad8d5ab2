#!/usr/bin/perl
# dkim.pl - DKIM with Mail::DKIM for srs-postfix.sh
#   dkim.pl sign KEYFILE DOMAIN SELECTOR < message > signed message
#       (rsa-sha256, relaxed/relaxed; the signature is prepended)
#   dkim.pl verify DNSPORT < message
#       prints "RESULT DOMAIN SELECTOR DETAIL"; keys are fetched from the
#       test's NSD on 127.0.0.1:DNSPORT only, never the host's resolver
#   dkim.pl verify-all DNSPORT < message
#       one line "RESULT DOMAIN SELECTOR" per DKIM-Signature, in order
use strict;
use warnings;
use Mail::DKIM::Signer;
use Mail::DKIM::Verifier;

my $mode = shift // die "usage\n";
my @lines = <STDIN>;
if ($mode eq 'sign') {
	my ($key, $domain, $selector) = @ARGV;
	my $s = Mail::DKIM::Signer->new(Algorithm => 'rsa-sha256',
	    Method => 'relaxed', Domain => $domain, Selector => $selector,
	    KeyFile => $key,
	    Headers => 'from:to:subject:date:message-id:content-type');
	for (@lines) { (my $l = $_) =~ s/\r?\n\z/\r\n/; $s->PRINT($l); }
	$s->CLOSE;
	my $sig = $s->signature->as_string;
	$sig =~ s/\r\n/\n/g;
	print "$sig\n", @lines;
	exit 0;
}
if ($mode eq 'verify' || $mode eq 'verify-all') {
	require Net::DNS::Resolver;
	my $r = Net::DNS::Resolver->new(nameservers => ['127.0.0.1'],
	    port => $ARGV[0], recurse => 0, retry => 1, udp_timeout => 5,
	    tcp_timeout => 5, searchlist => []);
	Mail::DKIM::DNS::resolver($r);
	my $v = Mail::DKIM::Verifier->new;
	for (@lines) { (my $l = $_) =~ s/\r?\n\z/\r\n/; $v->PRINT($l); }
	$v->CLOSE;
	if ($mode eq 'verify-all') {
		printf "%s %s %s\n", $_->result, $_->domain, $_->selector
		    for $v->signatures;
		exit 0;
	}
	my $sig = $v->signature;
	printf "%s %s %s %s\n", $v->result, $sig ? $sig->domain : '-',
	    $sig ? $sig->selector : '-', $v->result_detail;
	exit 0;
}
die "unknown mode $mode\n";

#!/usr/bin/perl
# peers.pl - the reference SRS implementations the differential test runs
# next to ours, one address per line on stdin, one answer per line out
# ("ERR reason" when the peer refuses):
#   peers.pl gen N SEED                      deterministic test addresses
#   peers.pl mailsrs forward|reverse SECRET_FILE DOMAIN   Mail::SRS (Guarded)
#   peers.pl tcp PORT                        postsrsd 1.x over Postfix's
#                                            tcp_table protocol, one
#                                            persistent connection
use strict;
use warnings;

my $mode = shift // die "usage\n";

sub secrets {
	my ($file) = @_;
	open(my $fh, '<', $file) or die "$file: $!\n";
	my @s = grep { length } map { s/[\r\n]+$//r } <$fh>;
	return \@s;
}

if ($mode eq 'gen') {
	my ($n, $seed) = (shift // 1000, shift // 1);
	srand($seed);
	my @lc = ('a'..'z', 'A'..'Z', '0'..'9');
	my @sp = split //, q{!#$&'*+-/=?^_`{|}~%};
	my @tld = qw(test example invalid EXAMPLE Test);
	for my $i (1 .. $n) {
		my $len = 1 + int(rand(20));
		my $l = '';
		for (1 .. $len) {
			my $r = rand();
			$l .= $r < 0.85 ? $lc[int(rand(@lc))] :
			    $r < 0.93 ? $sp[int(rand(@sp))] : '.';
		}
		$l =~ s/\.\.+/./g;
		$l =~ s/^\.|\.$//g;
		$l = 'x' if $l eq '';
		my @labels = map {
			join('', map { $lc[int(rand(36)) + ($_ % 2 ? 0 : 0)] }
			    1 .. 1 + int(rand(10)))
		} 1 .. 1 + int(rand(3));
		my $d = lc(join('.', @labels)) . '.' . $tld[int(rand(@tld))];
		$d = ucfirst($d) if rand() < 0.2;
		my $r = rand();
		if ($r < 0.05) {	# SRS0 of another forwarder -> SRS1
			print "SRS0=", substr(join('', map { $lc[int(rand(@lc))] } 1..4), 0, 4),
			    "=AB=$d=$l\@relay$i.test\n";
		} elsif ($r < 0.08) {	# SRS1 of another forwarder -> re-signed
			print "SRS1=abcd=hop$i.test==Zz9+=CD=$d=$l\@relay$i.test\n";
		} elsif ($r < 0.09) {	# already ours: unchanged
			print "$l\@fwd.test\n";
		} else {
			print "$l\@$d\n";
		}
	}
	exit 0;
}

if ($mode eq 'mailsrs') {
	require Mail::SRS;
	my ($dir, $file, $domain) = @ARGV;
	my $srs = Mail::SRS->new(Secret => secrets($file), MaxAge => 21,
	    HashLength => 4, HashMin => 4);
	$| = 0;
	while (my $a = <STDIN>) {
		chomp $a;
		my $r = eval {
			$dir eq 'forward' ? $srs->forward($a, $domain) :
			    $srs->reverse($a);
		};
		if (defined $r) {
			print "$r\n";
		} else {
			my $e = $@ || 'undef';
			$e =~ s/\s+at \S+ line \d+.*//s;
			print "ERR $e\n";
		}
	}
	exit 0;
}

if ($mode eq 'tcp') {
	require IO::Socket::INET;
	my $port = shift;
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
	    PeerPort => $port, Proto => 'tcp') or die "connect $port: $!\n";
	$s->autoflush(1);
	while (my $a = <STDIN>) {
		chomp $a;
		# tcp_table(5): %XX for %, controls, space and 8-bit
		(my $k = $a) =~ s/([\x00-\x20%\x7f-\xff])/sprintf('%%%02X', ord $1)/ge;
		print $s "get $k\n";
		my $line = <$s>;
		die "postsrsd closed the connection\n" unless defined $line;
		$line =~ s/\r?\n$//;
		my ($code, $val) = split(/ /, $line, 2);
		$val //= '';
		$val =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge;
		print $code eq '200' ? "$val\n" : "ERR $code $val\n";
	}
	exit 0;
}
die "unknown mode $mode\n";

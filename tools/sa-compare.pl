#!/usr/bin/perl
# sa-compare.pl - our handoff address against SpamAssassin's first untrusted
# relay, and our speed against SpamAssassin's Received parsing.
#
# A development tool, not a test: make check never runs it. It needs
# SpamAssassin's Perl modules (Debian: apt-get install spamassassin) and,
# for the comparison, a built origin-trace-check.
#
# For every message below the given directories it asks Mail::SpamAssassin
# (no network, no rules, trusted_networks = internal_networks = the trusted
# list) for the first untrusted relay, runs origin-trace-check --json
# --offline --trusted LIST on the same directories, and prints:
#   - with --sa-only: FILE<TAB>first-untrusted-ip (empty if none), and stop;
#   - the share of messages where the two agree (both empty counts as
#     agreement), each disagreement put in a category with the Received
#     lines involved, and a count per category;
#   - messages per second of SpamAssassin's parse + Received metadata
#     extraction (messages already in memory, so no file reading is
#     counted against it), of our analyzer on the same directories
#     (a whole process run, files read from disk, CPU of the child), and
#     the ratio; with --core BENCH (tools/bench-core.c built), also the
#     engine alone on the same messages in memory, and that ratio, over all
#     rounds and over each side's fastest round (the machine may be shared:
#     the fastest round is the one least slowed by other work).
#
# Limits: it reads every message whole into memory (the corpus is small);
# the category of a disagreement is a heuristic guess from the lines'
# shapes, to be read, not trusted blindly.
#
# usage: tools/sa-compare.pl [--check PATH] [--core BENCH] [--trusted FILE]
#          [--repeat N] [--sa-only] [--default-prefs] [--quiet] [--tsv FILE]
#          [--max-lines N] [DIR|FILE]...
#   --default-prefs  also read X-Originating-IP and the like as SpamAssassin's
#                    stock 10_default_prefs.cf does (synthetic bottom relays)
#   --tsv FILE       FILE<TAB>SA-ip<TAB>our-ip for every message
#   --deep           also compare every untrusted relay, not only the first:
#                    SA's untrusted list against the addresses of our hops
#                    from the handoff line down (where the parsers differ
#                    on deeper lines, which would matter with a deeper
#                    trust boundary)
# Default inputs: ../shared/corpus/sa-public/{spam,ham} beside the repository.
use strict;
use warnings;

use File::Basename qw(dirname);
use File::Find ();
use File::Spec;
use File::Temp qw(tempdir);
use Getopt::Long qw(GetOptions);
use JSON::PP ();
use Time::HiRes qw(time);

my $here = dirname(File::Spec->rel2abs(__FILE__));
my $root = dirname($here);
my $corpus = File::Spec->catdir($root, '..', 'shared', 'corpus');

my %opt = (
    check   => $ENV{CHECK} // File::Spec->catfile($root, 'milter', 'cli', 'origin-trace-check'),
    trusted => File::Spec->catfile($corpus, 'trusted-relays.txt'),
    repeat  => 3,
);
GetOptions(\%opt, 'check=s', 'core=s', 'trusted=s', 'repeat=i', 'sa-only', 'default-prefs', 'deep',
           'quiet', 'tsv=s', 'max-lines=i', 'help')
    or die "usage: $0 [--check PATH] [--trusted FILE] [--repeat N] [--sa-only] [DIR|FILE]...\n";
if ($opt{help}) {
    open my $self, '<', __FILE__ or die;
    while (<$self>) { last unless /^#/; print if $. > 1 }
    exit 0;
}
$opt{repeat} = 1 if $opt{repeat} < 1;
my @inputs = @ARGV ? @ARGV : map { File::Spec->catdir($corpus, 'sa-public', $_) } qw(spam ham);

# the file list exactly as origin-trace-check walks it: every regular file
# below a directory, in sorted order
sub list_files {
    my @out;
    for my $in (@_) {
        if (-d $in) {
            my @found;
            File::Find::find({ no_chdir => 1, wanted => sub { push @found, $_ if -f $_ } }, $in);
            push @out, sort @found;
        } else {
            push @out, $in;
        }
    }
    return @out;
}

sub read_trusted {
    my ($path) = @_;
    open my $fh, '<', $path or die "$path: $!\n";
    my @nets;
    while (my $line = <$fh>) {
        $line =~ s/#.*//;
        push @nets, split /[\s,]+/, $line;
    }
    return grep { length } @nets;
}

sub slurp {
    my ($path) = @_;
    open my $fh, '<:raw', $path or die "$path: $!\n";
    local $/;
    my $text = <$fh>;
    return $text;
}

# ---------------------------------------------------------------- SpamAssassin

my @files = list_files(@inputs);
die "no messages found\n" unless @files;
my @trusted = read_trusted($opt{trusted});

require Mail::SpamAssassin;
require Mail::SpamAssassin::PerMsgStatus;

# an empty rules directory: no rules, no plugins, only what we say here
my $empty = tempdir(CLEANUP => 1);
my $config = "trusted_networks @trusted\ninternal_networks @trusted\n";
if ($opt{'default-prefs'}) {
    # what a stock install adds that changes the relay list: the
    # X-Originating-IP style headers, read as synthetic bottom relays
    $config .= "originating_ip_headers X-Yahoo-Post-IP X-Originating-IP X-Apparently-From\n"
             . "originating_ip_headers X-SenderIP X-AOL-IP\n"
             . "originating_ip_headers X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp\n";
}
my $sa = Mail::SpamAssassin->new({
    rules_filename       => $empty,
    site_rules_filename  => $empty,
    userprefs_filename   => File::Spec->catfile($empty, 'user_prefs'),
    userstate_dir        => $empty,
    dont_copy_prefs      => 1,
    local_tests_only     => 1,
    config_text          => $config,
    post_config_text     => '',
});
$sa->init(0);

my @texts = map { slurp($_) } @files;

# the SA side of one message: parse, Received metadata, the relay lists
sub sa_relays {
    my ($text) = @_;
    my $msg = $sa->parse($text, 0);
    my $pms = Mail::SpamAssassin::PerMsgStatus->new($sa, $msg);
    $msg->extract_message_metadata($pms);
    my $md = $msg->{metadata};
    my $first = $md->{relays_untrusted}[0];
    my %r = (
        ip          => defined $first ? ($first->{ip} // '') : '',
        untrusted   => [ map { $_->{ip} // '' } @{ $md->{relays_untrusted} } ],
        trusted     => [ map { $_->{ip} // '' } @{ $md->{relays_trusted} } ],
        first       => $first ? { %$first } : undef,
        unparseable => $md->{num_relays_unparseable},
    );
    $pms->finish();
    $msg->finish();
    return \%r;
}

my @sa_result;
my $sa_t0 = time;
my $sa_cpu0 = (times)[0] + (times)[1];
my $sa_best_cpu;    # the fastest round: the machine is shared, load comes and goes
for my $round (1 .. $opt{repeat}) {
    my $round_cpu0 = (times)[0] + (times)[1];
    for my $i (0 .. $#texts) {
        my $r = sa_relays($texts[$i]);
        $sa_result[$i] = $r if $round == 1;
    }
    my $round_cpu = (times)[0] + (times)[1] - $round_cpu0;
    $sa_best_cpu = $round_cpu if !defined $sa_best_cpu || $round_cpu < $sa_best_cpu;
}
my $sa_wall = time - $sa_t0;
my $sa_cpu = (times)[0] + (times)[1] - $sa_cpu0;
my $sa_n = @texts * $opt{repeat};

if ($opt{'sa-only'}) {
    printf "%s\t%s\n", $files[$_], $sa_result[$_]{ip} for 0 .. $#files;
    printf STDERR "spamassassin %s relay parsing: %d messages in %.2f s wall, %.2f s CPU: "
        . "%.0f msg/s wall, %.0f msg/s CPU\n", Mail::SpamAssassin::Version(),
        $sa_n, $sa_wall, $sa_cpu, $sa_n / $sa_wall, $sa_n / ($sa_cpu || 1e-9);
    exit 0;
}

# ---------------------------------------------------------------- our analyzer

die "$opt{check}: not executable (build it, or give --check)\n" unless -x $opt{check};
my @cmd = ($opt{check}, '--json', '--offline', '--trusted', $opt{trusted});

my %ours;
{
    open my $out, '-|', @cmd, @inputs or die "$opt{check}: $!\n";
    my $json = JSON::PP->new->utf8(0)->relaxed;
    while (my $line = <$out>) {
        my $row = eval { $json->decode($line) };
        unless ($row) { warn "unreadable JSON line: $line"; next }
        $ours{ $row->{file} } = $row;
    }
    close $out;
}

# speed: the whole program over the same directories, repeated, CPU of the
# child (reading files and writing output counted against us)
my ($our_wall, $our_cpu);
{
    my @before = times;
    my $t0 = time;
    my @args = (@cmd, (@inputs) x $opt{repeat});
    my $pid = fork // die "fork: $!\n";
    if ($pid == 0) {
        open STDOUT, '>', File::Spec->devnull or die;
        exec @args or die "exec: $!\n";
    }
    waitpid $pid, 0;
    $our_wall = time - $t0;
    my @after = times;
    $our_cpu = ($after[2] - $before[2]) + ($after[3] - $before[3]);
}
my $our_n = @files * $opt{repeat};

# the engine alone, in one process over the same messages in memory
# (tools/bench-core.c), when its binary is given
my $core_line;
if ($opt{core}) {
    die "$opt{core}: not executable\n" unless -x $opt{core};
    my $rounds = $opt{repeat} < 10 ? 10 : $opt{repeat};
    open my $b, '-|', $opt{core}, '-r', $rounds, '-t', $opt{trusted}, @inputs
        or die "$opt{core}: $!\n";
    local $/;
    $core_line = <$b> // '';
    close $b;
    $core_line =~ s/\s+\z//;
}

# ---------------------------------------------------------------- compare

sub received_lines {
    my ($text) = @_;
    my ($head) = split /\r?\n\r?\n/, $text, 2;
    $head =~ s/\A(?:From [^\n]*\n)//;
    $head =~ s/\r?\n[ \t]+/ /g;
    my @lines;
    for (split /\r?\n/, $head) {
        push @lines, $1 if /^Received:\s*(.*)$/i;
    }
    s/\s+/ /g for @lines;
    return @lines;
}

# a guess at why the two sides differ, from the shape of the lines
sub categorise {
    my ($sa_r, $our, $rcvd) = @_;
    my $sa_ip = $sa_r->{ip};
    my $h = $our->{handoff};
    my $our_ip = $h ? ($h->{ip} // '') : '';
    my $hop = $h ? $h->{hop} : undef;
    my @hops = @{ $our->{hops} || [] };

    return 'ours: no JSON row' if !%$our;
    return 'ours: analysis error' if defined $our->{error};

    # where SA's first untrusted relay sits in our hop list
    my @sa_idx = grep { ($hops[$_]{from_ip} // '') eq $sa_ip } 0 .. $#hops;
    my $sa_first = $sa_r->{first};

    if ($sa_ip ne '' && $our_ip eq '') {
        return 'SA: synthetic X-Originating-IP relay' if $sa_first && ($sa_first->{by} // '') eq '';
        return 'ours: SA address not found in any hop (our parse misses it)' unless @sa_idx;
        return 'ours: hop with SA address parsed but not taken as handoff';
    }
    if ($sa_ip eq '' && $our_ip ne '') {
        my $line = defined $hop && $hop >= 0 ? ($rcvd->[$hop] // '') : '';
        return 'SA: skips fetchmail/POP/IMAP line, restarts trust' if $line =~ /with (?:POP3|IMAP)/;
        return 'SA: authenticated line extends trust' if $line =~ /with (?:ES|L)MTPS?A|ASMTP|HTTP|authenticated/i;
        return 'SA: handoff line ignored (local/no-IP shape)';
    }
    # both non-empty and different
    if (@sa_idx) {
        my $sa_hop = $sa_idx[0];
        if (defined $hop && $sa_hop > $hop) {
            my $line = $rcvd->[$hop] // '';
            return 'SA deeper: authenticated line extends trust' if $line =~ /with (?:ES|L)MTPS?A|ASMTP|HTTP|authenticated/i;
            return 'SA deeper: fetchmail/POP/IMAP line restarts trust' if $line =~ /with (?:POP3|IMAP)/;
            return 'SA deeper: SA skips our handoff line' ;
        }
        return 'SA shallower: our walk skipped a line SA reads' if defined $hop && $sa_hop < $hop;
    }
    return 'SA: synthetic X-Originating-IP relay' if $sa_first && ($sa_first->{by} // '') eq '';
    return 'ours: SA address not found in any hop (our parse misses it)' unless @sa_idx;
    return 'other';
}

my $json_out = JSON::PP->new->canonical;
my ($agree, $total) = (0, 0);
my %category;
my @disagree;
my $tsv;
if ($opt{tsv}) { open $tsv, '>', $opt{tsv} or die "$opt{tsv}: $!\n" }
for my $i (0 .. $#files) {
    my $file = $files[$i];
    my $our = $ours{$file} // {};
    my $our_ip = $our->{handoff} ? ($our->{handoff}{ip} // '') : '';
    my $sa_ip = $sa_result[$i]{ip} // '';
    $total++;
    print {$tsv} "$file\t$sa_ip\t$our_ip\n" if $tsv;
    if ($our_ip eq $sa_ip && %$our) {
        $agree++;
        next;
    }
    my @rcvd = received_lines($texts[$i]);
    my $cat = categorise($sa_result[$i], $our, \@rcvd);
    push @{ $category{$cat} }, $i;
    push @disagree, [ $i, $cat, $sa_ip, $our_ip, \@rcvd ];
}

# the first n addresses of a relay list, '?' for a relay without one
sub first_few {
    my ($list, $n) = @_;
    my $last = $#$list < $n - 1 ? $#$list : $n - 1;
    my @shown = map { $_ eq '' ? '?' : $_ } @{$list}[0 .. $last];
    push @shown, '...' if @$list > $n;
    return @shown ? join(',', @shown) : '(none)';
}

unless ($opt{quiet}) {
    my $max = $opt{'max-lines'} // 8;
    for my $cat (sort { @{ $category{$b} } <=> @{ $category{$a} } || $a cmp $b } keys %category) {
        printf "=== %s (%d)\n", $cat, scalar @{ $category{$cat} };
        for my $d (grep { $_->[1] eq $cat } @disagree) {
            my ($i, undef, $sa_ip, $our_ip, $rcvd) = @$d;
            my $our = $ours{ $files[$i] } // {};
            my $hop = $our->{handoff} ? $our->{handoff}{hop} : '-';
            printf "--- %s\n    SA=%s  ours=%s (hop %s)  SA untrusted: %s  SA trusted: %s\n",
                $files[$i], $sa_ip eq '' ? '(none)' : $sa_ip, $our_ip eq '' ? '(none)' : $our_ip,
                $hop // '-', first_few($sa_result[$i]{untrusted}, 3),
                first_few($sa_result[$i]{trusted}, 8);
            my $n = 0;
            for my $k (0 .. $#$rcvd) {
                last if $n++ >= $max;
                my $t = $our->{hops} && $our->{hops}[$k] ? $our->{hops}[$k]{trust} : '?';
                my $ip = $our->{hops} && $our->{hops}[$k] ? ($our->{hops}[$k]{from_ip} // '-') : '?';
                my $line = $rcvd->[$k];
                $line = substr($line, 0, 300) . '...' if length $line > 300;
                printf "    [%d %s %s] %s\n", $k, $t, $ip, $line;
            }
        }
    }
    print "\n";
}

if ($opt{deep}) {
    my ($same, $differ) = (0, 0);
    print "=== deeper relays (SA untrusted list vs our hops from the handoff down)\n" unless $opt{quiet};
    for my $i (0 .. $#files) {
        my $our = $ours{ $files[$i] } // {};
        my @hops = @{ $our->{hops} || [] };
        my $h = $our->{handoff};
        my @us = $h && defined $h->{hop} && $h->{hop} >= 0
            ? grep { $_ ne '' } map { $_->{from_ip} // '' } @hops[ $h->{hop} .. $#hops ]
            : ();
        my @sa = @{ $sa_result[$i]{untrusted} };
        if ("@sa" eq "@us") {
            $same++;
            next;
        }
        $differ++;
        next if $opt{quiet};
        my @rcvd = received_lines($texts[$i]);
        printf "--- %s\n    SA: %s\n    us: %s\n", $files[$i], join(' ', map { $_ eq '' ? '?' : $_ } @sa),
            join(' ', @us);
        my $from = $h && defined $h->{hop} && $h->{hop} >= 0 ? $h->{hop} : 0;
        for my $k ($from .. $#rcvd) {
            my $line = $rcvd[$k];
            $line = substr($line, 0, 300) . '...' if length $line > 300;
            my $ip = $hops[$k] ? ($hops[$k]{from_ip} // '-') : '?';
            printf "    [%d %s] %s\n", $k, $ip, $line;
        }
    }
    printf "deeper relays: %d of %d messages list the same untrusted addresses, %d differ\n",
        $same, $same + $differ, $differ;
}

printf "categories of disagreement:\n";
printf "  %5d  %s\n", scalar @{ $category{$_} }, $_
    for sort { @{ $category{$b} } <=> @{ $category{$a} } || $a cmp $b } keys %category;
printf "agreement: %d of %d messages = %.2f%% (both empty counts as agreement)\n",
    $agree, $total, 100.0 * $agree / $total;
printf "spamassassin %s relay parsing: %d messages in %.2f s wall, %.2f s CPU: %.0f msg/s wall, %.0f msg/s CPU\n",
    Mail::SpamAssassin::Version(), $sa_n, $sa_wall, $sa_cpu, $sa_n / $sa_wall, $sa_n / ($sa_cpu || 1e-9);
printf "origin-trace-check --json --offline: %d messages in %.2f s wall, %.2f s CPU: %.0f msg/s wall, %.0f msg/s CPU\n",
    $our_n, $our_wall, $our_cpu, $our_n / $our_wall, $our_n / ($our_cpu || 1e-9);
printf "speed ratio (ours / SA): %.1fx wall, %.1fx CPU\n",
    ($our_n / $our_wall) / ($sa_n / $sa_wall),
    ($our_n / ($our_cpu || 1e-9)) / ($sa_n / ($sa_cpu || 1e-9));
if (defined $core_line && $core_line =~ /([\d.]+) msg\/s wall, ([\d.]+) msg\/s CPU/) {
    print "$core_line\n";
    printf "speed ratio (engine in memory / SA): %.1fx wall, %.1fx CPU\n",
        $1 / ($sa_n / $sa_wall), $2 / ($sa_n / ($sa_cpu || 1e-9));
    # the same, each side's fastest round: less at the mercy of other load
    if ($core_line =~ /best round: .*?([\d.]+) msg\/s CPU/ && $sa_best_cpu) {
        my $sa_best = @texts / $sa_best_cpu;
        printf "spamassassin best of %d rounds: %.0f msg/s CPU\n", $opt{repeat}, $sa_best;
        printf "speed ratio (best rounds, engine / SA): %.1fx CPU\n", $1 / $sa_best;
    }
}
exit 0;

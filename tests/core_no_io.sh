#!/bin/sh
# core_no_io.sh - the analysis core must stay free of I/O.
#
# Lists the symbols the core library takes from outside (nm -u) and fails
# on any call that reads or writes files, sockets, DNS, the clock, the
# environment or a log. The daemon and the analyzer supply all of that.
. "$top_srcdir/tests/tap.sh"

lib="$top_builddir/milter/core/libotcore.a"
[ -f "$lib" ] || { echo "1..0 # SKIP $lib not built"; exit 0; }
command -v nm >/dev/null 2>&1 || skip_all "nm not installed"

forbidden='^(f?open|open64|openat|creat|close|f?read|f?write|fgets|fgetc|fputs|fputc|puts|putchar|f?printf|vf?printf|dprintf|perror|f?stat|lstat|opendir|readdir|unlink|rename|mkdir|socket|connect|bind|listen|accept|send|sendto|recv|recvfrom|select|poll|getaddrinfo|gethostbyname|gethostbyaddr|getnameinfo|res_[a-z]*|ub_[a-z_]*|time|clock_gettime|gettimeofday|localtime|localtime_r|gmtime|mktime|timegm|strftime|strptime|tzset|getenv|setenv|syslog|openlog|vsyslog|system|popen|fork|exec[lv]p?e?|dlopen|sleep|usleep|nanosleep|signal|sigaction|pthread_[a-z_]*)$'

for obj in $(ar t "$lib"); do
    bad=$(nm -u "$lib" 2>/dev/null | awk -v o="$obj" '
        /:$/ { cur = $0; sub(/:$/, "", cur); next }
        cur == o && NF >= 2 { print $2 }' | sed 's/@.*//' | grep -E "$forbidden" | tr '\n' ' ')
    is "$bad" "" "$obj makes no I/O, clock, DNS or logging call"
done
# the check itself works: a known I/O symbol is caught by the pattern
printf 'fopen\n' | grep -Eq "$forbidden"; ok $? "the pattern recognises fopen"
done_testing

-- Clean mail: one X-Origin-Trace at the top, naming the live client as
-- the handoff, with score and path; nothing removed, no quarantine.
dofile(lib)

local conn = open_session("mail.example.org", "198.51.100.7", "mail.example.org", CLEAN_MACROS)
envelope(conn, "<alice@example.org>", { "<bob@example.net>" }, { "i", "4QCLEAN1" })
send_headers(conn, clean_fields("mail.example.org"))
check(end_of_headers(conn) == SMFIR_CONTINUE, "clean mail passes end of headers")
check(end_of_message(conn) == SMFIR_CONTINUE, "clean mail accepted at end of message")
check(mt.eom_check(conn, MT_HDRINSERT, HEADER), "header inserted (HeaderPosition top)")
check(not mt.eom_check(conn, MT_HDRADD, HEADER), "header not appended at the bottom")
check(not mt.eom_check(conn, MT_HDRDELETE, HEADER), "nothing to remove")
check(not mt.eom_check(conn, MT_QUARANTINE), "not quarantined")

local v = our_header(conn)
check(v ~= nil, "header value present: " .. tostring(v))
check(has_token(v, "score=%-?[0-9]+%.?[0-9]*"), "header has a score")
check(has_token(v, "action=accept"), "header says action=accept")
check(has_token(v, "path=[a-z-]+"), "header has a path")
check(has_token(v, "handoff=198%.51%.100%.7"), "handoff is the live client")
check(string.find(v, "[\r\0]") == nil, "header is printable")
mt.disconnect(conn)

-- Incoming fields named like ours (a sender's forgery, or an upstream
-- copy) are all removed; only the one we add remains.
dofile(lib)

local conn = open_session("mail.example.org", "198.51.100.7", "mail.example.org", CLEAN_MACROS)
envelope(conn, "<alice@example.org>", { "<bob@example.net>" }, { "i", "4QFORGEDHDR" })
local fields = clean_fields("mail.example.org")
table.insert(fields, 1, { HEADER, "score=-50.0 action=accept path=internal origin=10.0.0.1 handoff=10.0.0.1 signals=" })
table.insert(fields, { "x-origin-trace", "score=0 action=accept (lower case, same field)" })
send_headers(conn, fields)
check(end_of_headers(conn) == SMFIR_CONTINUE, "passes end of headers")
check(end_of_message(conn) == SMFIR_CONTINUE, "accepted")
check(mt.eom_check(conn, MT_HDRDELETE, HEADER), "incoming " .. HEADER .. " removed")
check(mt.eom_check(conn, MT_HDRINSERT, HEADER), "our header inserted")
local v = our_header(conn)
check(v ~= nil and not string.find(v, "score=-50", 1, true), "the forged value is not what remains")
check(has_token(v, "handoff=198%.51%.100%.7"), "our header names the real handoff")
mt.disconnect(conn)

-- Enforce mode: a bare-IP HELO and a broken chain score past RejectScore
-- and the message is rejected at end of headers (550 5.7.1 with the
-- configured text; the runner reads the log line). The connection stays
-- usable: the next message from the same client, with a chain that
-- connects, scores only the HELO - past QuarantineScore, short of
-- RejectScore - and is quarantined, not rejected.
dofile(lib)

local conn, reply = forged_until_eoh({ "<victim@example.net>" }, { "i", "4QREJECT1" })
check(reply == SMFIR_REPLYCODE, "forged mail rejected with a reply code at end of headers")

envelope(conn, "<friend@example.org>", { "<victim@example.net>" }, { "i", "4QQUARANTINE1" })
send_headers(conn, clean_fields("192.0.2.9"))
check(end_of_headers(conn) == SMFIR_CONTINUE, "next message on the connection is judged afresh")
check(end_of_message(conn) == SMFIR_CONTINUE, "and accepted by the MTA")
check(mt.eom_check(conn, MT_QUARANTINE), "held in quarantine (score >= QuarantineScore)")
local v = our_header(conn)
check(has_token(v, "action=quarantine"), "header says action=quarantine: " .. tostring(v))
check(has_token(v, "signals=[A-Z_,]*HELO_BARE_IP[A-Z_,]*"), "header names HELO_BARE_IP")
mt.disconnect(conn)

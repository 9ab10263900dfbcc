-- Mode monitor: the same forged mail is delivered with the header and its
-- signals; no rejection, no quarantine.
dofile(lib)

local conn, reply = forged_until_eoh({ "<victim@example.net>" }, { "i", "4QMONITOR1" })
check(reply == SMFIR_CONTINUE, "monitor mode does not reject")
check(end_of_message(conn) == SMFIR_CONTINUE, "accepted")
check(mt.eom_check(conn, MT_HDRINSERT, HEADER), "header added")
check(not mt.eom_check(conn, MT_QUARANTINE), "not quarantined")
local v = our_header(conn)
check(has_token(v, "signals=[A-Z_,]*HELO_BARE_IP[A-Z_,]*"), "signals listed: " .. tostring(v))
check(has_token(v, "signals=[A-Z_,]*CHAIN_BREAK[A-Z_,]*"), "chain break listed")
check(has_token(v, "action=accept"), "header tells what was done: accept")
mt.disconnect(conn)

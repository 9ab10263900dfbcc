-- SIGHUP: a connection opened before the reload keeps the configuration
-- it began with (enforce: rejected); a connection opened after it gets the
-- new one (monitor: delivered with the header).
-- Runs with the enforce configuration live; leaves monitor in place.
dofile(lib)

local old = open_session("unknown", "192.0.2.9", "192.0.2.9", FORGED_MACROS)
reload_with("monitor.conf")

envelope(old, "<security@bigbank.example>", { "<victim@example.net>" }, { "i", "4QINFLIGHT" })
send_headers(old, forged_fields())
check(end_of_headers(old) == SMFIR_REPLYCODE, "session begun before the reload keeps enforce: rejected")
mt.disconnect(old)

local new, reply = forged_until_eoh({ "<victim@example.net>" }, { "i", "4QAFTERHUP" })
check(reply == SMFIR_CONTINUE, "session begun after the reload is in monitor mode")
check(end_of_message(new) == SMFIR_CONTINUE, "and accepted")
check(mt.eom_check(new, MT_HDRINSERT, HEADER), "with the header")
mt.disconnect(new)

-- Exemptions, in enforce mode, on mail that would be rejected:
-- a recipient in ExemptRecipients (postmaster@ by default), a client in
-- ExemptClients, and an authenticated sender (ExemptAuthenticated yes).
-- Each is accepted with our header; the forgery is still scored.
dofile(lib)

local function accepted_with_header(conn, reply, what)
    check(reply == SMFIR_CONTINUE, what .. ": not rejected at end of headers")
    check(end_of_message(conn) == SMFIR_CONTINUE, what .. ": accepted")
    check(not mt.eom_check(conn, MT_QUARANTINE), what .. ": not quarantined")
    local v = our_header(conn)
    check(has_token(v, "action=accept"), what .. ": header says accept: " .. tostring(v))
    check(has_token(v, "signals=[A-Z_,]*HELO_BARE_IP[A-Z_,]*"), what .. ": signals still reported")
    mt.disconnect(conn)
end

local conn, reply = forged_until_eoh({ "<victim@example.net>", "<PostMaster@example.net>" },
                                     { "i", "4QEXRCPT" })
accepted_with_header(conn, reply, "postmaster@ among the recipients")

conn, reply = forged_until_eoh({ "<abuse>" }, { "i", "4QEXABUSE" })
accepted_with_header(conn, reply, "bare abuse recipient")

conn, reply = forged_until_eoh({ "<victim@example.net>" }, { "i", "4QEXCLIENT" }, "198.18.0.77")
accepted_with_header(conn, reply, "client in ExemptClients")

conn, reply = forged_until_eoh({ "<victim@example.net>" },
                               { "i", "4QEXAUTH", "{auth_authen}", "alice", "{auth_type}", "PLAIN" })
accepted_with_header(conn, reply, "authenticated sender")

-- control: the same forgery without any exemption is rejected
conn, reply = forged_until_eoh({ "<victim@example.net>" }, { "i", "4QEXNONE" })
check(reply == SMFIR_REPLYCODE, "control: no exemption, rejected")
mt.disconnect(conn)

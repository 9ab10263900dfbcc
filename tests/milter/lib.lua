-- lib.lua - helpers shared by the miltertest scripts (loaded with dofile).
--
-- Globals set by tests/milter.sh with -D: socket (the milter socket),
-- pid (the daemon's process id), conf (the live configuration file),
-- confdir (where the runner keeps prepared configurations).
-- Every check prints "ok - what" or raises an error naming what failed,
-- which makes miltertest exit non-zero; the runner turns that into TAP.

unpack = table.unpack or unpack
HEADER = "X-Origin-Trace"

function check(cond, what)
    if not cond then
        error("FAIL: " .. what, 2)
    end
    mt.echo("ok - " .. what)
end

function rfc_date(offset)
    return os.date("!%a, %d %b %Y %H:%M:%S +0000", os.time() + (offset or 0))
end

-- A connection with negotiation done and the client announced.
-- macros: flat list of connect-stage name, value pairs, or nil (none sent).
function open_session(name, ip, helo, macros)
    local conn = mt.connect(socket, 50, 0.1)
    check(conn ~= nil, "connected to " .. socket)
    mt.set_timeout(15)
    check(mt.negotiate(conn, nil, nil, nil) == nil, "negotiated")
    if macros ~= nil then
        mt.macro(conn, SMFIC_CONNECT, unpack(macros))
    end
    check(mt.conninfo(conn, name, ip) == nil, "conninfo " .. tostring(ip))
    if helo ~= nil then
        check(mt.helo(conn, helo) == nil, "helo sent")
    end
    return conn
end

-- MAIL FROM and each RCPT TO; mail_macros: flat list for the MAIL stage.
function envelope(conn, from, rcpts, mail_macros)
    if mail_macros ~= nil then
        mt.macro(conn, SMFIC_MAIL, unpack(mail_macros))
    end
    check(mt.mailfrom(conn, from) == nil, "MAIL FROM " .. from)
    for _, r in ipairs(rcpts) do
        check(mt.rcptto(conn, r) == nil, "RCPT TO " .. r)
    end
end

function send_headers(conn, fields)
    for _, f in ipairs(fields) do
        local err = mt.header(conn, f[1], f[2])
        if err ~= nil then
            error("FAIL: header " .. f[1] .. ": " .. tostring(err), 2)
        end
    end
end

function end_of_headers(conn)
    check(mt.eoh(conn) == nil, "end of headers sent")
    return mt.getreply(conn)
end

function end_of_message(conn)
    check(mt.eom(conn) == nil, "end of message sent")
    return mt.getreply(conn)
end

-- the value of the header we added, unfolded
function our_header(conn)
    local v = mt.getheader(conn, HEADER, 0)
    if v == nil then
        return nil
    end
    return (string.gsub(v, "\r?\n[ \t]+", " "))
end

function has_token(value, pattern)
    return value ~= nil and string.find(" " .. value .. " ", " " .. pattern .. " ") ~= nil
end

-- A clean message: handed over by the host that says so in its HELO and
-- recorded by a Received line that connects to it.
function clean_fields(handoff_name)
    return {
        { "Received", "from sender.example.org (sender.example.org [203.0.113.5]) by " ..
                      handoff_name .. " (Postfix) with ESMTP id 4AbCdE; " .. rfc_date(-60) },
        { "From", "Alice <alice@example.org>" },
        { "To", "bob@example.net" },
        { "Subject", "quarterly figures" },
        { "Date", rfc_date(-90) },
        { "Message-ID", "<20240101.4AbCdE@sender.example.org>" },
    }
end

-- A forged chain: no line connects to the one below it or to the client.
function forged_fields()
    return {
        { "Received", "from mx1.bigbank.example (may be forged) (mx1.bigbank.example [198.51.100.20]) " ..
                      "by relay.unrelated.example with SMTP id A1; " .. rfc_date(-30) },
        { "Received", "from pc7.home.example ([203.0.113.50]) by gw.elsewhere.example " ..
                      "with SMTP id B2; " .. rfc_date(-3600) },
        { "From", "Big Bank <security@bigbank.example>" },
        { "To", "victim@example.net" },
        { "Subject", "verify your account" },
        { "Date", rfc_date(-60) },
        { "Message-ID", "<forged.1@bigbank.example>" },
    }
end

CLEAN_MACROS = { "{client_name}", "mail.example.org", "{client_ptr}", "mail.example.org" }
FORGED_MACROS = { "{client_name}", "unknown", "{client_ptr}", "unknown" }

-- A forged message over a fresh connection up to end of headers.
function forged_until_eoh(rcpts, mail_macros, client_ip)
    local conn = open_session("unknown", client_ip or "192.0.2.9", "192.0.2.9", FORGED_MACROS)
    envelope(conn, "<security@bigbank.example>", rcpts or { "<victim@example.net>" }, mail_macros)
    send_headers(conn, forged_fields())
    return conn, end_of_headers(conn)
end

-- os.execute answers true (Lua 5.2+) or 0 (Lua 5.1) on success
function run(cmd)
    local r = os.execute(cmd)
    return r == true or r == 0
end

-- Puts a prepared configuration in place of the live one and reloads.
function reload_with(name)
    check(run("cp '" .. confdir .. "/" .. name .. "' '" .. conf .. "'"), "config " .. name .. " in place")
    check(run("kill -HUP " .. pid), "SIGHUP sent")
    mt.sleep(0.5)
end

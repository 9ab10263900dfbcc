-- Hostile sessions: each must finish without a crash and with a sane
-- verdict (a reply the protocol allows, and the daemon still answering).
dofile(lib)

local function sane(r)
    return r == SMFIR_CONTINUE or r == SMFIR_ACCEPT or r == SMFIR_REPLYCODE or
           r == SMFIR_TEMPFAIL or r == SMFIR_REJECT
end

-- an overlong HELO (miltertest's own buffer stops near 1 KB; the 10 KB
-- case runs through tests/milter/rawclient.c)
local conn = open_session("unknown", "203.0.113.77", string.rep("h", 1000), FORGED_MACROS)
envelope(conn, "<a@example.org>", { "<b@example.net>" })
send_headers(conn, clean_fields("x.example"))
local r = end_of_headers(conn)
check(sane(r), "1 KB HELO: sane reply at end of headers")
if r == SMFIR_CONTINUE then
    check(sane(end_of_message(conn)), "1 KB HELO: sane reply at end of message")
    local v = our_header(conn)
    check(v ~= nil and #v < 1024 and string.find(v, "hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh", 1, true) == nil,
          "1 KB HELO: header bounded and free of the HELO")
end
mt.disconnect(conn)

-- NUL bytes and control characters in HELO and header values (the milter
-- protocol cuts a string at NUL: what follows must not confuse anything)
conn = open_session("unknown", "203.0.113.78", "evil\0.example\r\nX-Injected: 1", FORGED_MACROS)
envelope(conn, "<a\0b@example.org>", { "<b@example.net>" })
send_headers(conn, {
    { "Received", "from a\0b (c [1.2.3.4]) by d; " .. rfc_date() },
    { "Subject", "bell\7 escape\27[31m cr\r lf\n tab\t end" },
    { "X-Bin", "\1\2\3\127\128\255" },
})
r = end_of_headers(conn)
check(sane(r), "NUL and control bytes: sane reply")
if r == SMFIR_CONTINUE then
    check(sane(end_of_message(conn)), "NUL and control bytes: sane end of message")
    local v = mt.getheader(conn, HEADER, 0)
    check(v == nil or string.find(v, "[%z\1-\8\11-\31\127-\255]") == nil, "our header holds no control byte")
end
mt.disconnect(conn)

-- 1,000 Received lines
conn = open_session("relay.example.org", "198.51.100.7", "relay.example.org", CLEAN_MACROS)
envelope(conn, "<a@example.org>", { "<b@example.net>" })
for i = 1, 1000 do
    local err = mt.header(conn, "Received", "from h" .. i .. ".example ([192.0.2." .. (i % 250) ..
                          "]) by h" .. (i - 1) .. ".example with SMTP id X" .. i .. "; " .. rfc_date(-i))
    if err ~= nil then error("FAIL: Received " .. i .. ": " .. tostring(err)) end
end
r = end_of_headers(conn)
check(sane(r), "1,000 Received lines: sane reply")
if r == SMFIR_CONTINUE then
    check(sane(end_of_message(conn)), "1,000 Received lines: sane end of message")
    check(our_header(conn) ~= nil, "1,000 Received lines: header still added")
end
mt.disconnect(conn)

-- CR LF in the HELO itself (no NUL to cut it)
conn = open_session("unknown", "203.0.113.80", "evil.example\r\nX-Injected: 1", FORGED_MACROS)
envelope(conn, "<a@example.org>", { "<b@example.net>" }, { "i", "4QCRLFHELO" })
send_headers(conn, { { "Subject", "crlf helo" } })
r = end_of_headers(conn)
check(sane(r), "CR LF in HELO: sane reply")
if r == SMFIR_CONTINUE then check(sane(end_of_message(conn)), "CR LF in HELO: sane end") end
mt.disconnect(conn)

-- a long header value (miltertest stops near 1 KB; rawclient sends 200 KB)
-- and 3,000 small fields
conn = open_session("relay.example.org", "198.51.100.7", "relay.example.org", CLEAN_MACROS)
envelope(conn, "<a@example.org>", { "<b@example.net>" })
send_headers(conn, { { "X-Long", string.rep("v", 900) } })
for i = 1, 3000 do
    local err = mt.header(conn, "X-Many-" .. (i % 7), "value " .. i)
    if err ~= nil then error("FAIL: field " .. i .. ": " .. tostring(err)) end
end
r = end_of_headers(conn)
check(sane(r), "long value and many fields: sane reply")
if r == SMFIR_CONTINUE then check(sane(end_of_message(conn)), "long value and many fields: sane end") end
mt.disconnect(conn)

-- no macros at all, no HELO
conn = open_session("unknown", "203.0.113.79", nil, nil)
envelope(conn, "<>", { "<b@example.net>" })
send_headers(conn, { { "Subject", "bounce" } })
r = end_of_headers(conn)
check(sane(r), "missing macros and HELO: sane reply")
if r == SMFIR_CONTINUE then
    check(sane(end_of_message(conn)), "missing macros: sane end")
    check(our_header(conn) ~= nil, "missing macros: header added")
end
mt.disconnect(conn)

-- an IPv6 client, and an IPv4-mapped one
for _, ip in ipairs({ "2001:db8::25", "::ffff:198.51.100.7" }) do
    conn = open_session("mail6.example.org", ip, "mail6.example.org",
                        { "{client_name}", "mail6.example.org", "{client_ptr}", "mail6.example.org" })
    envelope(conn, "<a@example.org>", { "<b@example.net>" })
    send_headers(conn, clean_fields("mail6.example.org"))
    r = end_of_headers(conn)
    check(r == SMFIR_CONTINUE, ip .. " client: clean mail passes")
    check(end_of_message(conn) == SMFIR_CONTINUE, ip .. " client: accepted")
    local v = our_header(conn)
    local want = ip == "2001:db8::25" and "handoff=2001:db8::25" or "handoff=198%.51%.100%.7"
    check(has_token(v, want), ip .. " client: handoff printed canonically: " .. tostring(v))
    mt.disconnect(conn)
end

-- a client with no network address (local submission, unix socket)
conn = open_session("localhost", "unspec", "localhost", nil)
envelope(conn, "<root@localhost>", { "<b@example.net>" })
send_headers(conn, { { "Subject", "cron output" }, { "From", "root@localhost" } })
r = end_of_headers(conn)
check(sane(r), "local client: sane reply")
if r == SMFIR_CONTINUE then check(sane(end_of_message(conn)), "local client: sane end") end
mt.disconnect(conn)

-- abort mid-message, then a whole message on the same connection
conn = open_session("mail.example.org", "198.51.100.7", "mail.example.org", CLEAN_MACROS)
envelope(conn, "<a@example.org>", { "<b@example.net>" })
send_headers(conn, { { HEADER, "forged before abort" }, { "Subject", "half" } })
check(mt.abort(conn) == nil, "abort mid-headers sent")
envelope(conn, "<a@example.org>", { "<b@example.net>" })
send_headers(conn, clean_fields("mail.example.org"))
check(end_of_headers(conn) == SMFIR_CONTINUE, "after abort: next message passes")
check(end_of_message(conn) == SMFIR_CONTINUE, "after abort: accepted")
check(not mt.eom_check(conn, MT_HDRDELETE, HEADER), "after abort: the aborted message's field is forgotten")
mt.disconnect(conn)

-- abort after end of headers, and an abrupt disconnect mid-message
conn = open_session("mail.example.org", "198.51.100.7", "mail.example.org", CLEAN_MACROS)
envelope(conn, "<a@example.org>", { "<b@example.net>" })
send_headers(conn, clean_fields("mail.example.org"))
check(end_of_headers(conn) == SMFIR_CONTINUE, "abort after eoh: eoh passes")
check(mt.abort(conn) == nil, "abort after end of headers sent")
envelope(conn, "<a@example.org>", { "<b@example.net>" })
send_headers(conn, { { "Subject", "cut" } })
mt.disconnect(conn, false)

-- many messages in one session
conn = open_session("mail.example.org", "198.51.100.7", "mail.example.org", CLEAN_MACROS)
for i = 1, 60 do
    envelope(conn, "<a" .. i .. "@example.org>", { "<b@example.net>" }, { "i", "4QMANY" .. i })
    local fields = clean_fields("mail.example.org")
    if i % 3 == 0 then table.insert(fields, { HEADER, "forged " .. i }) end
    send_headers(conn, fields)
    r = end_of_headers(conn)
    if r ~= SMFIR_CONTINUE then error("FAIL: message " .. i .. " got reply " .. tostring(r)) end
    r = end_of_message(conn)
    if r ~= SMFIR_CONTINUE then error("FAIL: message " .. i .. " eom reply " .. tostring(r)) end
    local deleted = mt.eom_check(conn, MT_HDRDELETE, HEADER)
    if deleted ~= (i % 3 == 0) then error("FAIL: message " .. i .. " delete state leaked") end
    local v = our_header(conn)
    if not has_token(v, "handoff=198%.51%.100%.7") then error("FAIL: message " .. i .. " header " .. tostring(v)) end
end
check(true, "60 messages in one session, each judged on its own")
mt.disconnect(conn)

-- the daemon still answers
conn = open_session("mail.example.org", "198.51.100.7", "mail.example.org", CLEAN_MACROS)
envelope(conn, "<a@example.org>", { "<b@example.net>" })
send_headers(conn, clean_fields("mail.example.org"))
check(end_of_headers(conn) == SMFIR_CONTINUE, "still answering after the hostile sessions")
check(end_of_message(conn) == SMFIR_CONTINUE, "and accepting")
mt.disconnect(conn)

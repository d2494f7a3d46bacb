#!/usr/bin/env python3
# respite - write the text-path seeds of the fuzz corpora (issue 21 item 1,
# issue 13): pathological message texts put into a signed seed of each
# webhook adapter (where a customer's text is read), and given to the
# lexicon as they are, so that fuzzing starts on the text paths.
# Run from the source tree: python3 tests/fuzz/text-seeds.py
import json
import os

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")

CTRL = "".join(chr(c) for c in range(1, 32)) + "\x7f"
TEXTS = {
    "text-long-word": "a" * 6000 + " " + "\u00fc" * 3000,
    "text-bang-run": "a!" * 4000,
    "text-many-lt-a": "<a" * 12000,
    "text-huge-utf8": ("Gr\u00fc\u00dfe \u65e5\u672c\u8a9e \U0001f620\U0001f4a2 "
                       "e\u0301\u0308\u0327 \u202e\u2066\u2028\ufeff\uffff "
                       "\u0645\u0631\u062d\u0628\u0627 ") * 700,
    "text-controls": ("idiot" + CTRL + "\u0085\u009b[31m ") * 200 +
                     "\r\n<3>forged\r\n",
    "text-entities": "&#x1F620;&amp;&#0;&#xD800;&#1114112;&lt;script&gt;"
                     "<div><b>Vollidiot</b></div><!--" * 400 + "&#",
}

# adapter: (seed to start from, path to the customer's text in its body)
ADAPTERS = {
    "zendesk": ("event-comment-signed", ["event", "comment", "body"]),
    "chatwoot": ("hostile-signed", ["content"]),
    "freshdesk": ("reply-signed",
                  ["freshdesk_webhook", "ticket_latest_public_comment"]),
    "zammad": ("closed-chat-signed", ["article", "body"]),
}


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


for name, (seed, path) in ADAPTERS.items():
    with open(os.path.join(TOP, name, seed), "rb") as f:
        raw = f.read()
    # The flags byte and header lines, a blank line, the JSON body.
    if raw[1:2] == b"\n":
        head, body = raw[:2], raw[2:]
    else:
        i = raw.index(b"\n\n")
        head, body = raw[:i + 2], raw[i + 2:]
    doc = json.loads(body)
    for tname, text in TEXTS.items():
        o = doc
        for k in path[:-1]:
            o = o[k]
        o[path[-1]] = text
        out = json.dumps(doc, ensure_ascii=False, indent=1).encode()
        write(os.path.join(TOP, name, tname), head + out)

# The lexicon: the first byte picks the language (0 none, 1 en, 2 de).
for i, (tname, text) in enumerate(sorted(TEXTS.items())):
    write(os.path.join(TOP, "lexicon", tname),
          bytes([i % 3]) + text.encode("utf-8", "surrogatepass"))
write(os.path.join(TOP, "lexicon", "text-masked-run"),
      b"\x01" + b"f***!!! " * 3000)
write(os.path.join(TOP, "lexicon", "text-invalid-utf8"),
      b"\x02" + b"\xc3(\xff\xfe\xed\xa0\x80\xf4\x90\x80\x80Idiot" * 2000)

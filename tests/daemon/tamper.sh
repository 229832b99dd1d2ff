#!/bin/sh
# hostgate audit verify against a journal built through hostgated, then
# tampered with: an edited field, a deleted line, two lines swapped, a cut
# last line, a forged hash.  Each must fail (exit 1) naming the right line
# and seq; the journal as written must pass.
. "${top_srcdir:?}/tests/daemon/lib.sh"
hg_setup
hg_start
"$HGSEND" load "$SOCK" 2 20 t "$T/acks" 30 > "$T/out"
hg_stop
J=$JOURNAL

verify "$J"
expect_eq "untouched: ok" "$(cat "$T/vout")" "ok 20 records"
expect_eq "untouched: exit 0" "$VRC" 0
verify --config "$T/hostgate.conf"
expect_eq "untouched, found through the settings: ok" "$(cat "$T/vout")" \
    "ok 20 records"

# tampered KIND: write the tampered copy as $T/KIND.jsonl, verify it.
tampered() {
	TJ=$T/$1.jsonl
	cp "$J" "$TJ"
}

# expect_bad DESCRIPTION TEXT: verify failed, saying TEXT.
expect_bad() {
	if [ "$VRC" = 1 ] && grep -qF -- "$2" "$T/vout"; then
		pass "$1"
	else
		fail "$1 (exit $VRC, wanted 1 and '$2'): $(cat "$T/vout")"
	fi
}

tampered edited
sed -i '7 s/"service":"hgload"/"service":"hgl0ad"/' "$TJ"
verify "$TJ"
expect_bad "an edited field: line 7, seq 7" \
    "edited.jsonl:7: error: seq 7: edited: hash does not match the content"

tampered edited-seq
sed -i '12 s/^{"seq":12,/{"seq":13,/' "$TJ"
verify "$TJ"
expect_bad "an edited seq: line 12" "edited-seq.jsonl:12: error: seq 13: edited"

tampered deleted
sed -i '5d' "$TJ"
verify "$TJ"
expect_bad "a deleted line: line 5, seq 5 missing" \
    "deleted.jsonl:5: error: seq 5: deleted: found seq 6; seq 5 is missing"

tampered deleted3
sed -i '10,12d' "$TJ"
verify "$TJ"
expect_bad "three deleted lines: line 10, seq 10 to 12 missing" \
    "deleted3.jsonl:10: error: seq 10: deleted: found seq 13; seq 10 to 12"

tampered swapped
sed -i '9{h;d};10{G}' "$TJ"
verify "$TJ"
expect_bad "two lines swapped: line 9, seq 9 is at line 10" \
    "swapped.jsonl:9: error: seq 9: reordered: found seq 10 here; seq 9 is at line 10"

tampered moved
sed -i '3{h;d};$G' "$TJ"
verify "$TJ"
expect_bad "a line moved to the end: line 3, seq 3 is at line 20" \
    "moved.jsonl:3: error: seq 3: reordered: found seq 4 here; seq 3 is at line 20"

tampered backwards
{ sed -n 1,15p "$J"; sed -n 14p "$J"; } > "$TJ"
verify "$TJ"
expect_bad "a line repeated: seq goes backwards at line 16" \
    "backwards.jsonl:16: error: seq 16: reordered: found seq 14 after seq 15"

tampered truncated
truncate -s -30 "$TJ"
verify "$TJ"
expect_bad "a cut last line: line 20, seq 20" \
    "truncated.jsonl:20: error: seq 20: truncated: the last line has no newline"

tampered cut-and-newline
truncate -s -30 "$TJ"
echo >> "$TJ"
verify "$TJ"
expect_bad "a cut last line with a newline: line 20, seq 20" \
    "cut-and-newline.jsonl:20: error: seq 20: no hash at the end (truncated?)"

# A forger who rewrites a record and its hash still breaks the chain at
# the next record.
tampered forged
line=$(sed -n 8p "$J" | sed 's/"tty":"t-[0-9]*"/"tty":"forged"/')
body=${line%,\"hash\":*}
hash=$(printf '%s}' "$body" | b2sum -l 256 | cut -d' ' -f1)
sed -i "8c\\
$body,\"hash\":\"$hash\"}" "$TJ"
verify "$TJ"
expect_bad "a rewritten record with a recomputed hash: caught at line 9" \
    "forged.jsonl:9: error: seq 9: does not chain to the record before it"

# The first record must chain to the genesis hash.
tampered genesis
sed -i '1d' "$TJ"
verify "$TJ"
if [ "$VRC" = 0 ] && grep -q "starts at seq 2" "$T/vout"; then
	pass "a journal starting at seq 2 is taken as rotated, with a note"
else
	fail "a journal starting at seq 2: $(cat "$T/vout")"
fi

hg_done

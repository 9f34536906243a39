package consignments

import (
	"slices"
	"strings"
	"testing"
	"time"

	"lifeline/internal/errs"
)

// confirmedNote returns a note about consignment c (UA → RU via ICRC) with
// the given number of confirmations by different users.
func confirmedNote(t *testing.T, c Consignment, confirmations int) Note {
	t.Helper()
	n := Note{ID: 7, Ref: c.Ref, Text: "two parcels not in the truck", Expected: 3, Scanned: 1,
		Missing: []string{"RR1", "RR2"}, Extra: []string{}, Damaged: []string{"RR0"}, AuthorID: 1, CreatedAt: t0}
	for i := range confirmations {
		if err := n.Confirm(int64(10+i), t0.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	return n
}

func TestNoteAnswer(t *testing.T) {
	c := december()
	at := t0.Add(48 * time.Hour)
	answered := confirmedNote(t, c, 2)
	if err := answered.Answer(c, "UA", 5, "the two parcels are sent again", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		note   Note
		party  string
		user   int64
		text   string
		kind   errs.Kind // "" when the reply is accepted
		says   string    // a part of the refusal
		stored string    // the reply's text when accepted
	}{
		{name: "sending party", note: confirmedNote(t, c, 2), party: "UA", user: 5, text: "  the two parcels are sent again \n", stored: "the two parcels are sent again"},
		{name: "receiving party", note: confirmedNote(t, c, 2), party: "RU", user: 6, text: "we agree", kind: errs.Forbidden, says: "only the sending party (UA)"},
		{name: "intermediary", note: confirmedNote(t, c, 2), party: "ICRC", user: 7, text: "noted", kind: errs.Forbidden, says: "only the sending party"},
		{name: "no party", note: confirmedNote(t, c, 2), party: "", user: 5, text: "x", kind: errs.Forbidden},
		{name: "no user", note: confirmedNote(t, c, 2), party: "UA", user: 0, text: "x", kind: errs.Forbidden, says: "named user"},
		{name: "unconfirmed", note: confirmedNote(t, c, 0), party: "UA", user: 5, text: "x", kind: errs.Conflict, says: "0 of 2 confirmations"},
		{name: "confirmed by one", note: confirmedNote(t, c, 1), party: "UA", user: 5, text: "x", kind: errs.Conflict, says: "1 of 2 confirmations"},
		{name: "second reply", note: answered, party: "UA", user: 8, text: "another answer", kind: errs.Conflict, says: "already replied"},
		{name: "empty", note: confirmedNote(t, c, 2), party: "UA", user: 5, text: " \t\n", kind: errs.Invalid, says: "write the reply"},
		{name: "too long", note: confirmedNote(t, c, 2), party: "UA", user: 5, text: strings.Repeat("я", MaxReplyLen+1), kind: errs.Invalid, says: "at most 2000"},
		{name: "longest", note: confirmedNote(t, c, 2), party: "UA", user: 5, text: strings.Repeat("я", MaxReplyLen), stored: strings.Repeat("я", MaxReplyLen)},
		{name: "another consignment", note: func() Note { n := confirmedNote(t, c, 2); n.Ref = "UA-RU-2026-12-02"; return n }(), party: "UA", user: 5, text: "x", kind: errs.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := tt.note
			before := n
			before.Missing, before.Extra, before.Damaged = slices.Clone(n.Missing), slices.Clone(n.Extra), slices.Clone(n.Damaged)
			err := n.Answer(c, tt.party, tt.user, tt.text, at)
			// The note's quantities never change, whatever the outcome.
			if n.Expected != before.Expected || n.Scanned != before.Scanned || !slices.Equal(n.Missing, before.Missing) ||
				!slices.Equal(n.Extra, before.Extra) || !slices.Equal(n.Damaged, before.Damaged) || n.Text != before.Text || len(n.Confirmations) != len(before.Confirmations) {
				t.Errorf("the note changed: got %+v, want %+v", n, before)
			}
			if tt.kind != "" {
				wantKind(t, err, tt.kind)
				msg := errs.MessageOf(err)
				for _, f := range errs.FieldsOf(err) {
					msg += " " + f
				}
				if !strings.Contains(msg, tt.says) {
					t.Errorf("got %q, want it to say %q", msg, tt.says)
				}
				if n.Reply != before.Reply {
					t.Errorf("a refused reply changed the note's reply: got %+v, want %+v", n.Reply, before.Reply)
				}
				return
			}
			if err != nil {
				t.Fatalf("got %v, want the reply accepted", err)
			}
			want := Reply{Text: tt.stored, Party: tt.party, UserID: tt.user, At: at}
			if n.Reply == nil || *n.Reply != want {
				t.Errorf("got reply %+v, want %+v", n.Reply, want)
			}
			if n.AwaitsReply() {
				t.Error("an answered note still awaits a reply")
			}
		})
	}
}

func TestNoteAwaitsReply(t *testing.T) {
	c := december()
	for i, want := range []bool{false, false, true} {
		n := confirmedNote(t, c, i)
		if got := n.AwaitsReply(); got != want {
			t.Errorf("%d confirmations: got AwaitsReply %v, want %v", i, got, want)
		}
	}
}

func TestCheckPartyReply(t *testing.T) {
	c := december()
	for _, tt := range []struct {
		party string
		kind  errs.Kind
	}{{"UA", ""}, {"RU", errs.Forbidden}, {"ICRC", errs.Forbidden}, {"XX", errs.NotFound}} {
		err := CheckParty(c, tt.party, StepReply)
		if tt.kind == "" {
			if err != nil {
				t.Errorf("%s: got %v, want nil", tt.party, err)
			}
			continue
		}
		wantKind(t, err, tt.kind)
	}
}

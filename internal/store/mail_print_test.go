package store_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lifeline/internal/correspondence"
	"lifeline/internal/pdf"
	"lifeline/internal/store"
	"lifeline/internal/store/storetest"
)

// The -update flag rewrites the golden files. It is defined here unless
// another test file of the package defined it first.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files")
	}
}

func mailUpdateSet() bool { return flag.Lookup("update").Value.String() == "true" }

func mailGolden(t *testing.T, name string, lines []string) {
	t.Helper()
	got := strings.Join(lines, "\n") + "\n"
	path := filepath.Join("testdata", name)
	if mailUpdateSet() {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s: got\n%s\nwant\n%s", name, got, want)
	}
}

// TestMailPrintGolden goes from the stored records of a sealed parcel
// through ParcelPrints and parcels.Print to the text of its label and
// packing list.
func TestMailPrintGolden(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	clock := time.Date(2026, 12, 3, 9, 30, 0, 0, time.UTC)
	db.Now = func() time.Time { return clock }
	ctx := context.Background()
	w := mailSeed(t, db)
	var ids []int64
	for _, k := range []correspondence.Kind{correspondence.Letter, correspondence.Photograph, correspondence.Drawing} {
		it := &correspondence.Item{Kind: k, PersonID: w.person.ID, SenderID: w.sender.ID, Pages: 1 + len(ids), Language: "uk"}
		mailTakeIn(t, db, clerkA, it)
		if err := mailScreen(db, clerkA, it.ID, correspondence.Decision{Outcome: correspondence.Approve}, nil); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, it.ID)
	}
	var parcelID int64
	err := db.Tx(ctx, func(tx *store.Tx) error {
		p, err := tx.OpenParcel(ctx, clerkA, w.person.ID, correspondence.ToDetainee, 0)
		if err != nil {
			return err
		}
		parcelID = p.ID
		if err := tx.PackItems(ctx, clerkA, p.ID, ids); err != nil {
			return err
		}
		_, err = tx.SealParcel(ctx, clerkA, p.ID, 315)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	prints, err := db.ParcelPrints(ctx, []int64{parcelID})
	if err != nil || len(prints) != 1 {
		t.Fatalf("prints: got %d %v", len(prints), err)
	}
	label, err := pdf.LabelText(prints[0].Label())
	if err != nil {
		t.Fatal(err)
	}
	mailGolden(t, "mail_label.golden", label)
	list, err := pdf.PackingListText(prints[0].PackingList())
	if err != nil {
		t.Fatal(err)
	}
	mailGolden(t, "mail_packing.golden", list)
}

package pdf

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"

	"lifeline/internal/errs"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares lines with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, lines []string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	got := strings.Join(lines, "\n") + "\n"
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s: text differs from the golden file\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

// checkPDF checks that b is a whole PDF with the Go fonts embedded.
func checkPDF(t *testing.T, b []byte) {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Errorf("output starts with %q, want %%PDF-", b[:min(len(b), 8)])
	}
	if !bytes.Contains(b[max(0, len(b)-64):], []byte("%%EOF")) {
		t.Error("output does not end with the end-of-file marker")
	}
	if got := bytes.Count(b, []byte("/FontFile2")); got != 2 {
		t.Errorf("got %d embedded TrueType fonts (/FontFile2), want 2", got)
	}
	if !bytes.Contains(b, []byte("/Encoding /Identity-H")) {
		t.Error("no Identity-H (Unicode) font in the output")
	}
}

func TestLabelGolden(t *testing.T) {
	lines, err := LabelText(sampleLabel(0))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "label.golden", lines)
}

func TestPackingListGolden(t *testing.T) {
	lines, err := PackingListText(samplePackingList(0))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "packing-list.golden", lines)
}

func TestLabelSheetsText(t *testing.T) {
	labels := make([]Label, 7)
	for i := range labels {
		labels[i] = sampleLabel(i)
	}
	lines, err := LabelSheetsText(labels)
	if err != nil {
		t.Fatal(err)
	}
	var pages, codes int
	for _, l := range lines {
		if strings.HasPrefix(l, "--- page ") {
			pages++
		}
		if strings.HasPrefix(l, "[Code 128: ") {
			codes++
		}
	}
	if pages != 2 {
		t.Errorf("7 labels: got %d pages, want 2", pages)
	}
	if codes != 7 {
		t.Errorf("7 labels: got %d barcodes, want 7", codes)
	}
}

func TestPackingListLong(t *testing.T) {
	p := samplePackingList(0)
	for len(p.Items) < 60 {
		p.Items = append(p.Items, p.Items[len(p.Items)%5])
	}
	lines, err := PackingListText(p)
	if err != nil {
		t.Fatal(err)
	}
	var pages, cont int
	for _, l := range lines {
		if strings.HasPrefix(l, "--- page ") {
			pages++
		}
		if l == "Packing list (continued)" {
			cont++
		}
	}
	if pages < 2 || cont != pages-1 {
		t.Errorf("60 items: got %d pages and %d continuation headers, want 2 or more and one fewer", pages, cont)
	}
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "Total: 60 items,") {
		t.Errorf("last line = %q, want the total of 60 items", last)
	}
}

func TestWriteDocuments(t *testing.T) {
	labels := []Label{sampleLabel(0), sampleLabel(1)}
	lists := []PackingList{samplePackingList(0), samplePackingList(1)}
	tests := []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"label", func(b *bytes.Buffer) error { return WriteLabel(b, labels[0]) }},
		{"label sheets", func(b *bytes.Buffer) error { return WriteLabelSheets(b, labels) }},
		{"packing list", func(b *bytes.Buffer) error { return WritePackingList(b, lists[0]) }},
		{"packing lists", func(b *bytes.Buffer) error { return WritePackingLists(b, lists) }},
		{"receipt slip", func(b *bytes.Buffer) error { return WriteReceiptSlip(b, sampleReceiptSlip()) }},
		{"manifest", func(b *bytes.Buffer) error { return WriteManifest(b, sampleManifest(100)) }},
		{"handover receipt", func(b *bytes.Buffer) error { return WriteHandoverReceipt(b, sampleHandover()) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a, b bytes.Buffer
			if err := tt.write(&a); err != nil {
				t.Fatal(err)
			}
			checkPDF(t, a.Bytes())
			if !bytes.Contains(a.Bytes(), []byte("/CreationDate (D:202512")) {
				t.Error("creation date is not the input's date")
			}
			if err := tt.write(&b); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Error("two runs gave different PDFs, want identical output")
			}
		})
	}
}

// TestFontsCoverCyrillic checks that the embedded fonts have a glyph for
// every letter of the Russian and Ukrainian alphabets.
func TestFontsCoverCyrillic(t *testing.T) {
	const letters = "АБВГҐДЕЄЁЖЗИІЇЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгґдеєёжзиіїйклмнопрстуфхцчшщъыьэюя’№"
	for name, ttf := range map[string][]byte{"goregular": goregular.TTF, "gobold": gobold.TTF} {
		f, err := sfnt.Parse(ttf)
		if err != nil {
			t.Fatal(err)
		}
		var buf sfnt.Buffer
		for _, r := range letters {
			if g, err := f.GlyphIndex(&buf, r); err != nil || g == 0 {
				t.Errorf("%s has no glyph for %q", name, r)
			}
		}
	}
}

func TestInvalidInput(t *testing.T) {
	bad := sampleLabel(0)
	bad.Tracking = "CP000010009UA"
	bad.Recipient = Name{}
	bad.Facility = " "
	err := WriteLabel(&bytes.Buffer{}, bad)
	if !errs.Is(err, errs.Invalid) {
		t.Fatalf("WriteLabel(bad) = %v, want kind invalid", err)
	}
	fields := errs.FieldsOf(err)
	for _, f := range []string{"tracking", "recipient", "facility"} {
		if fields[f] == "" {
			t.Errorf("no message for field %q in %v", f, fields)
		}
	}
	if got, want := fields["tracking"], "tracking number check digit is 9, want 8"; got != want {
		t.Errorf("tracking message = %q, want %q", got, want)
	}

	p := samplePackingList(0)
	p.Items[2].Kind = "parcel"
	p.Items[3].Tracking = "XX"
	_, err = PackingListText(p)
	fields = errs.FieldsOf(err)
	if !errs.Is(err, errs.Invalid) || fields["items[2].kind"] == "" || fields["items[3].tracking"] == "" {
		t.Errorf("PackingListText(bad items) = %v, want invalid items[2].kind and items[3].tracking", err)
	}

	if err := WriteLabelSheets(&bytes.Buffer{}, nil); !errs.Is(err, errs.Invalid) {
		t.Errorf("WriteLabelSheets(nil) = %v, want kind invalid", err)
	}
	noDate := sampleLabel(0)
	noDate.Date = Label{}.Date
	if _, err := LabelText(noDate); !errs.Is(err, errs.Invalid) {
		t.Errorf("LabelText(no date) = %v, want kind invalid", err)
	}
}

func TestLongNamesAreCut(t *testing.T) {
	l := sampleLabel(0)
	l.Recipient.Native = strings.Repeat("Щербак-Коваленко ", 8)
	l.Facility = strings.Repeat("Исправительная колония ", 10)
	lines, err := LabelText(l)
	if err != nil {
		t.Fatal(err)
	}
	var cut int
	for _, s := range lines {
		if strings.HasSuffix(s, "…") {
			cut++
		}
	}
	if cut != 2 {
		t.Errorf("got %d cut lines, want 2 (name and facility):\n%s", cut, strings.Join(lines, "\n"))
	}
}

func TestReceiptSlipGolden(t *testing.T) {
	lines, err := ReceiptSlipText(sampleReceiptSlip())
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "receipt-slip.golden", lines)
	text := strings.Join(lines, "\n")
	for _, want := range []string{"[Code 128: RR001000007UA]", "042 917", "https://lifeline.example.org/track", "Privacy notice."} {
		if !strings.Contains(text, want) {
			t.Errorf("receipt slip does not print %q", want)
		}
	}
	for _, f := range facilities {
		if strings.Contains(text, f.name) {
			t.Errorf("receipt slip prints the facility %q", f.name)
		}
	}
}

func TestReceiptSlipRelativeURL(t *testing.T) {
	r := sampleReceiptSlip()
	r.BaseURL = ""
	r.Notice = []string{"Short notice."}
	lines, err := ReceiptSlipText(r)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(lines, "\n")
	if !strings.Contains(text, "Follow your item at /track with") {
		t.Errorf("got %q, want the path /track", text)
	}
	if !strings.HasSuffix(text, "Short notice.") {
		t.Errorf("got %q, want the given notice at the end", text)
	}
}

func TestReceiptSlipInvalid(t *testing.T) {
	for _, pin := range []string{"", "12345", "1234567", "12a456"} {
		r := sampleReceiptSlip()
		r.PIN = pin
		_, err := ReceiptSlipText(r)
		if !errs.Is(err, errs.Invalid) || errs.FieldsOf(err)["pin"] == "" {
			t.Errorf("PIN %q: got %v, want an invalid pin", pin, err)
		}
	}
	r := sampleReceiptSlip()
	r.Notice = []string{strings.Repeat("A very long notice. ", 200)}
	if _, err := ReceiptSlipText(r); !errs.Is(err, errs.Invalid) {
		t.Errorf("overlong notice: got %v, want kind invalid", err)
	}
}

func TestManifestGolden(t *testing.T) {
	lines, err := ManifestText(sampleManifest(3))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "manifest.golden", lines)
}

func TestManifestPages(t *testing.T) {
	m := sampleManifest(2000)
	lines, err := ManifestText(m)
	if err != nil {
		t.Fatal(err)
	}
	var pages, footers, rows int
	for _, l := range lines {
		if strings.HasPrefix(l, "--- page ") {
			pages++
		}
		if strings.HasPrefix(l, "Consignment UA-RU-2025-12-001 · page ") {
			footers++
		}
		if strings.Contains(l, " | CP0000") {
			rows++
		}
	}
	if pages < 40 {
		t.Errorf("2000 parcels: got %d pages, want at least 40", pages)
	}
	if footers != pages {
		t.Errorf("got %d page footers, want one per page (%d)", footers, pages)
	}
	if rows != 2000 {
		t.Errorf("got %d parcel rows, want 2000", rows)
	}
	wantLast := fmt.Sprintf("Consignment UA-RU-2025-12-001 · page %d of %d", pages, pages)
	if got := lines[len(lines)-1]; got != wantLast {
		t.Errorf("last line = %q, want %q", got, wantLast)
	}
	if got, want := lines[len(lines)-2], strings.ToLower(m.SHA256); got != want {
		t.Errorf("line before the footer = %q, want the SHA-256 %q", got, want)
	}
	for _, want := range []string{"Parcels: 2000 | Items: 10000 | Weight: 708.300 kg", "\nTotal | 2000 parcels | 10000 | 708.300 kg"} {
		if !strings.Contains(strings.Join(lines, "\n"), want) {
			t.Errorf("manifest does not print %q", want)
		}
	}
}

func TestManifestInvalid(t *testing.T) {
	m := sampleManifest(2)
	m.SHA256 = "abc"
	m.Via = Party{}
	m.Parcels[1].Tracking = "CP000010012UA"
	_, err := ManifestText(m)
	fields := errs.FieldsOf(err)
	for _, f := range []string{"sha256", "via", "parcels[1].tracking"} {
		if fields[f] == "" {
			t.Errorf("no message for %q in %v", f, err)
		}
	}
}

func TestHandoverGolden(t *testing.T) {
	lines, err := HandoverReceiptText(sampleHandover())
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "handover.golden", lines)
}

func TestHandoverLongLists(t *testing.T) {
	h := sampleHandover()
	h.Missing = nil
	for i := range 400 {
		h.Missing = append(h.Missing, sampleTracking("CP", 5000+i))
	}
	lines, err := HandoverReceiptText(h)
	if err != nil {
		t.Fatal(err)
	}
	var pages, ids int
	for _, l := range lines {
		if strings.HasPrefix(l, "--- page ") {
			pages++
		}
		ids += strings.Count(l, "CP0000")
	}
	if pages < 2 {
		t.Errorf("400 missing parcels: got %d pages, want 2 or more", pages)
	}
	if ids < 400 {
		t.Errorf("got %d tracking numbers printed, want at least 400", ids)
	}
	if !slices.Contains(lines, "Missing (400)") {
		t.Error("no \"Missing (400)\" heading")
	}
}

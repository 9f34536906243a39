package pdf

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a, b bytes.Buffer
			if err := tt.write(&a); err != nil {
				t.Fatal(err)
			}
			checkPDF(t, a.Bytes())
			if !bytes.Contains(a.Bytes(), []byte("/CreationDate (D:20251205093000)")) {
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

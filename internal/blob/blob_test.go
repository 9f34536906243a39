package blob

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"lifeline/internal/errs"
	"lifeline/internal/pdf"
	"lifeline/internal/store"
)

// twoColours is a w×h image, red on the left half and blue on the right.
func twoColours(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{R: 220, A: 255}
			if x >= w/2 {
				c = color.RGBA{B: 220, A: 255}
			}
			img.Set(x, y, c)
		}
	}
	return img
}

func encodeJPEG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func segment(marker byte, payload []byte) []byte {
	s := []byte{0xFF, marker, 0, 0}
	binary.BigEndian.PutUint16(s[2:], uint16(len(payload)+2))
	return append(s, payload...)
}

// exifWithGPS builds an APP1 Exif payload (little-endian TIFF) whose IFD0
// holds Orientation, Make, Model and a GPS IFD with latitude and
// longitude.
func exifWithGPS(orientation uint16) []byte {
	le := binary.LittleEndian
	var t []byte
	t = append(t, 'I', 'I', 42, 0, 8, 0, 0, 0)
	// IFD0 at 8: 4 entries, next IFD 0. Data area follows.
	const n0 = 4
	dataOff := 8 + 2 + n0*12 + 4
	makeStr := []byte("PhoneMaker\x00")
	modelStr := []byte("Model X\x00")
	gpsIFD := dataOff + len(makeStr) + len(modelStr)
	entry := func(tag, typ uint16, count, value uint32) []byte {
		e := make([]byte, 12)
		le.PutUint16(e[0:], tag)
		le.PutUint16(e[2:], typ)
		le.PutUint32(e[4:], count)
		le.PutUint32(e[8:], value)
		return e
	}
	t = le.AppendUint16(t, n0)
	t = append(t, entry(0x010F, 2, uint32(len(makeStr)), uint32(dataOff))...)
	t = append(t, entry(0x0110, 2, uint32(len(modelStr)), uint32(dataOff+len(makeStr)))...)
	t = append(t, entry(0x0112, 3, 1, uint32(orientation))...)
	t = append(t, entry(0x8825, 4, 1, uint32(gpsIFD))...)
	t = le.AppendUint32(t, 0)
	t = append(t, makeStr...)
	t = append(t, modelStr...)
	// GPS IFD: LatitudeRef N, Latitude 50/1 27/1 0/1, LongitudeRef E, Longitude 30/1 31/1 0/1.
	rats := gpsIFD + 2 + 4*12 + 4
	t = le.AppendUint16(t, 4)
	t = append(t, entry(0x0001, 2, 2, uint32('N'))...)
	t = append(t, entry(0x0002, 5, 3, uint32(rats))...)
	t = append(t, entry(0x0003, 2, 2, uint32('E'))...)
	t = append(t, entry(0x0004, 5, 3, uint32(rats+24))...)
	t = le.AppendUint32(t, 0)
	for _, v := range []uint32{50, 1, 27, 1, 0, 1, 30, 1, 31, 1, 0, 1} {
		t = le.AppendUint32(t, v)
	}
	return append([]byte("Exif\x00\x00"), t...)
}

const xmpPacket = `http://ns.adobe.com/xap/1.0/` + "\x00" +
	`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` +
	`<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="50,27.0N" exif:GPSLongitude="30,31.0E"/>` +
	`</rdf:RDF></x:xmpmeta>`

// photoWithMetadata returns a JPEG of a w×h two-colour image carrying an
// APP1 Exif segment with GPS tags, an APP1 XMP segment, an APP13 IPTC
// segment and a comment.
func photoWithMetadata(t *testing.T, w, h int, orientation uint16) []byte {
	t.Helper()
	plain := encodeJPEG(t, twoColours(w, h))
	var b []byte
	b = append(b, plain[:2]...) // SOI
	b = append(b, segment(0xE1, exifWithGPS(orientation))...)
	b = append(b, segment(0xE1, []byte(xmpPacket))...)
	b = append(b, segment(0xED, []byte("Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x0cKyiv Camera"))...)
	b = append(b, segment(0xFE, []byte("secret comment: shot near the front"))...)
	b = append(b, plain[2:]...)
	return b
}

// headerMarkers lists the markers of a JPEG's segments before its scan.
func headerMarkers(data []byte) []byte {
	var ms []byte
	for i := 2; i+4 <= len(data) && data[i] == 0xFF; {
		m := data[i+1]
		ms = append(ms, m)
		if m == 0xDA {
			break
		}
		i += 2 + int(binary.BigEndian.Uint16(data[i+2:]))
	}
	return ms
}

func TestPhotoMetadataStripped(t *testing.T) {
	in := photoWithMetadata(t, 40, 20, 1)
	if got := jpegOrientation(in); got != 1 {
		t.Fatalf("test photo orientation: got %d, want 1", got)
	}
	if m := headerMarkers(in); !bytes.Contains(m, []byte{0xE1}) || !bytes.Contains(m, []byte{0xED}) {
		t.Fatalf("test photo carries markers % X; want APP1 and APP13", m)
	}
	sc, err := Prepare(bytes.NewReader(in), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if sc.Type != JPEG || sc.Width != 40 || sc.Height != 20 {
		t.Errorf("got %s %dx%d, want image/jpeg 40x20", sc.Type, sc.Width, sc.Height)
	}
	for _, m := range headerMarkers(sc.Data) {
		if m >= 0xE0 && m <= 0xEF || m == 0xFE {
			t.Errorf("stored JPEG keeps segment FF%02X", m)
		}
	}
	for _, s := range []string{"Exif", "GPS", "http://ns.adobe.com", "xmpmeta", "Photoshop", "8BIM", "PhoneMaker", "Model X", "secret comment", "Kyiv"} {
		if bytes.Contains(sc.Data, []byte(s)) {
			t.Errorf("stored JPEG still holds %q", s)
		}
		if bytes.Contains(sc.Thumb, []byte(s)) {
			t.Errorf("thumbnail holds %q", s)
		}
	}
	if _, err := jpeg.Decode(bytes.NewReader(sc.Data)); err != nil {
		t.Errorf("stored JPEG does not decode: %v", err)
	}
}

func TestOrientationApplied(t *testing.T) {
	// Orientation 6: the camera was turned; the upright picture is the
	// stored one turned 90° clockwise, so the red left half goes on top.
	in := photoWithMetadata(t, 40, 20, 6)
	sc, err := Prepare(bytes.NewReader(in), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if sc.Width != 20 || sc.Height != 40 {
		t.Fatalf("got %dx%d, want 20x40", sc.Width, sc.Height)
	}
	img, err := jpeg.Decode(bytes.NewReader(sc.Data))
	if err != nil {
		t.Fatal(err)
	}
	r, _, b, _ := img.At(10, 5).RGBA()
	if r < b {
		t.Errorf("top of the upright photo: got r=%d b=%d, want red", r>>8, b>>8)
	}
	r, _, b, _ = img.At(10, 35).RGBA()
	if r > b {
		t.Errorf("bottom of the upright photo: got r=%d b=%d, want blue", r>>8, b>>8)
	}
	for o := 1; o <= 8; o++ {
		got := orient(twoColours(4, 2), o).Bounds()
		want := image.Rect(0, 0, 4, 2)
		if o >= 5 {
			want = image.Rect(0, 0, 2, 4)
		}
		if got != want {
			t.Errorf("orientation %d: got %v, want %v", o, got, want)
		}
	}
}

func pngChunk(typ string, data []byte) []byte {
	var b []byte
	b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(append([]byte(typ), data...)))
}

func TestPNGMetadataStripped(t *testing.T) {
	var plain bytes.Buffer
	if err := png.Encode(&plain, twoColours(30, 10)); err != nil {
		t.Fatal(err)
	}
	p := plain.Bytes()
	// Insert tEXt, iTXt (XMP) and eXIf chunks right after IHDR (8 + 25 bytes).
	var in []byte
	in = append(in, p[:33]...)
	in = append(in, pngChunk("tEXt", []byte("Comment\x00taken at 50.45N 30.52E"))...)
	in = append(in, pngChunk("iTXt", []byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00"+xmpPacket))...)
	in = append(in, pngChunk("eXIf", exifWithGPS(1)[6:])...)
	in = append(in, p[33:]...)
	sc, err := Prepare(bytes.NewReader(in), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if sc.Type != PNG || sc.Width != 30 || sc.Height != 10 {
		t.Errorf("got %s %dx%d, want image/png 30x10", sc.Type, sc.Width, sc.Height)
	}
	for _, s := range []string{"tEXt", "iTXt", "eXIf", "xmp", "50.45N", "PhoneMaker"} {
		if bytes.Contains(sc.Data, []byte(s)) {
			t.Errorf("stored PNG still holds %q", s)
		}
	}
}

// endless yields n bytes of 0xFF without ever holding them.
type endless struct{ n, read int64 }

func (e *endless) Read(p []byte) (int, error) {
	if e.read >= e.n {
		return 0, io.EOF
	}
	k := min(int64(len(p)), e.n-e.read)
	for i := range p[:k] {
		p[i] = 0xFF
	}
	e.read += k
	return int(k), nil
}

func TestPrepareRefuses(t *testing.T) {
	lim := Limits{MaxBytes: 1 << 20, MaxPixels: 1_000_000}
	var bigPNG bytes.Buffer
	png.Encode(&bigPNG, image.NewGray(image.Rect(0, 0, 1001, 1000)))
	// A PNG header that claims 100000×100000 pixels and has no pixel data.
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], 100000)
	binary.BigEndian.PutUint32(ihdr[4:], 100000)
	ihdr[8], ihdr[9] = 8, 2
	bomb := append([]byte("\x89PNG\r\n\x1a\n"), pngChunk("IHDR", ihdr)...)
	jpg := encodeJPEG(t, twoColours(8, 8))
	tests := []struct {
		name string
		data []byte
		kind errs.Kind
	}{
		{"text named .jpg", []byte("this is not a picture at all, just words"), errs.Invalid},
		{"empty", nil, errs.Invalid},
		{"JPEG magic then garbage", append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, bytes.Repeat([]byte{7}, 200)...), errs.Invalid},
		{"truncated JPEG", jpg[:len(jpg)/2], errs.Invalid},
		{"PNG magic then garbage", append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{1}, 100)...), errs.Invalid},
		{"too many pixels", bigPNG.Bytes(), errs.TooLarge},
		{"pixel bomb header", bomb, errs.TooLarge},
		{"GIF", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), errs.Invalid},
		{"PDF without end", []byte("%PDF-1.4\n1 0 obj << >> endobj\n"), errs.Invalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sc, err := Prepare(bytes.NewReader(tc.data), lim)
			if !errs.Is(err, tc.kind) {
				t.Fatalf("got %v, want a %s error", err, tc.kind)
			}
			if sc != nil {
				t.Errorf("got a scan with the error")
			}
			if errs.MessageOf(err) == "" {
				t.Error("no message for the user")
			}
		})
	}
}

func TestPrepareHugeUploadStreams(t *testing.T) {
	r := &endless{n: 200 << 20}
	_, err := Prepare(r, Limits{MaxBytes: 20 << 20, MaxPixels: 40_000_000})
	if !errs.Is(err, errs.TooLarge) {
		t.Fatalf("got %v, want too_large", err)
	}
	if r.read > 20<<20+1 {
		t.Errorf("read %d bytes, want at most the limit plus one", r.read)
	}
}

func minimalPDF(body string) []byte {
	return []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R " + body + " >>\nendobj\n" +
		"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
}

func flateStream(s string) string {
	var b bytes.Buffer
	w := zlib.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return "3 0 obj\n<< /Type /ObjStm /Filter /FlateDecode /Length " + strconv.Itoa(b.Len()) + " >>\nstream\n" + b.String() + "\nendstream\nendobj\n"
}

func TestPDF(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		ok   bool
	}{
		{"plain", minimalPDF(""), true},
		{"open action to a page", minimalPDF("/OpenAction [3 0 R /Fit]"), true},
		{"open action with JavaScript", minimalPDF("/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"), false},
		{"names tree of scripts", minimalPDF("/Names << /JavaScript 5 0 R >>"), false},
		{"escaped name", minimalPDF("/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>"), false},
		{"additional actions", minimalPDF("/AA << /O 4 0 R >>"), false},
		{"launch", minimalPDF("/OpenAction << /S /Launch /F (cmd.exe) >>"), false},
		{"script in an object stream", []byte(strings.Replace(string(minimalPDF("")), "trailer", flateStream("4 0 << /S /JavaScript /JS (app.alert(1)) >>")+"trailer", 1)), false},
		{"clean object stream", []byte(strings.Replace(string(minimalPDF("")), "trailer", flateStream("4 0 << /Type /Font /BaseFont /Helvetica >>")+"trailer", 1)), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sc, err := Prepare(bytes.NewReader(tc.data), DefaultLimits())
			if tc.ok {
				if err != nil {
					t.Fatalf("got %v, want accepted", err)
				}
				if sc.Type != PDF || sc.Thumb != nil || sc.Key != Key(tc.data) {
					t.Errorf("got type %s, thumb %d bytes, key %s; want the PDF as is, no thumbnail", sc.Type, len(sc.Thumb), sc.Key)
				}
				return
			}
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("got %v, want invalid", err)
			}
		})
	}
}

func TestRealPDFAccepted(t *testing.T) {
	var b bytes.Buffer
	err := pdf.WriteReceiptSlip(&b, pdf.ReceiptSlip{Tracking: "RR123456785UA", PIN: "012345", Kind: "letter",
		Date: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Prepare(&b, DefaultLimits()); err != nil {
		t.Errorf("a receipt slip made by internal/pdf: %v", err)
	}
}

func TestThumbnail(t *testing.T) {
	sc, err := Prepare(bytes.NewReader(encodeJPEG(t, twoColours(960, 480))), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	th, err := jpeg.Decode(bytes.NewReader(sc.Thumb))
	if err != nil {
		t.Fatal(err)
	}
	if got := th.Bounds().Size(); got != image.Pt(240, 120) {
		t.Errorf("got thumbnail %v, want 240x120", got)
	}
	if sc.ThumbKey != Key(sc.Thumb) {
		t.Error("thumbnail key is not its SHA-256")
	}
	small, _ := Prepare(bytes.NewReader(encodeJPEG(t, twoColours(100, 50))), DefaultLimits())
	th, _ = jpeg.Decode(bytes.NewReader(small.Thumb))
	if got := th.Bounds().Size(); got != image.Pt(100, 50) {
		t.Errorf("small image: got thumbnail %v, want 100x50 (never enlarged)", got)
	}
}

func TestSameScanSameKey(t *testing.T) {
	in := photoWithMetadata(t, 40, 20, 1)
	a, err := Prepare(bytes.NewReader(in), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Prepare(bytes.NewReader(in), DefaultLimits())
	if a.Key != b.Key {
		t.Errorf("got keys %s and %s for one scan", a.Key, b.Key)
	}
}

func testBackend(t *testing.T, be Backend, q store.DBTX) {
	t.Helper()
	ctx := context.Background()
	data := []byte("a scanned letter")
	key := Key(data)
	created, err := be.Put(ctx, q, key, data)
	if err != nil || !created {
		t.Fatalf("first put: got created=%v %v, want created", created, err)
	}
	created, err = be.Put(ctx, q, key, data)
	if err != nil || created {
		t.Fatalf("second put: got created=%v %v, want stored once", created, err)
	}
	got, err := be.Get(ctx, q, key)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("get: got %q %v", got, err)
	}
	if _, err := be.Put(ctx, q, Key([]byte("other")), data); !errs.Is(err, errs.Invalid) {
		t.Errorf("put under a wrong key: got %v, want invalid", err)
	}
	if _, err := be.Get(ctx, q, "../../etc/passwd"); !errs.Is(err, errs.Invalid) {
		t.Errorf("get a path: got %v, want invalid", err)
	}
	if err := be.Delete(ctx, q, key); err != nil {
		t.Fatal(err)
	}
	if _, err := be.Get(ctx, q, key); !errs.Is(err, errs.NotFound) {
		t.Errorf("get after delete: got %v, want not found", err)
	}
	if err := be.Delete(ctx, q, key); err != nil {
		t.Errorf("delete twice: %v", err)
	}
}

func TestDir(t *testing.T) {
	be, err := Open("dir", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if be.Name() != "dir" {
		t.Errorf("got backend %s, want dir", be.Name())
	}
	testBackend(t, be, nil)
	if _, err := Open("s3", t.TempDir()); !errs.Is(err, errs.Invalid) {
		t.Errorf("unknown backend: got %v", err)
	}
}

func TestTable(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE blobs (key TEXT PRIMARY KEY, size INTEGER NOT NULL, data BLOB NOT NULL)`); err != nil {
			return err
		}
		testBackend(t, Table{}, tx)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

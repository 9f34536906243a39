package blob

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"

	"lifeline/internal/errs"
)

// forbiddenNames are the PDF names that run code or act on their own:
// JavaScript, additional actions on pages and fields, launching programs.
// An /OpenAction that runs JavaScript names /JS or /JavaScript too.
var forbiddenNames = map[string]bool{
	"JS": true, "JavaScript": true, "AA": true, "Launch": true,
}

var (
	pdfName   = regexp.MustCompile(`/[^\s/<>\[\]()%{}]+`)
	pdfStream = regexp.MustCompile(`stream\r?\n`)
)

// maxInflate bounds how much of each compressed stream is examined.
const maxInflate = 64 << 20

// CheckPDF refuses a PDF that carries JavaScript or automatic actions,
// written plainly, with #xx escapes in names, or inside compressed
// streams (object streams hide dictionaries there).
func CheckPDF(data []byte) error {
	const op = "blob.CheckPDF"
	if !bytes.HasPrefix(data, []byte("%PDF-")) || !bytes.Contains(data[max(0, len(data)-2048):], []byte("%%EOF")) {
		return errs.E(op, errs.Invalid, "the file is not a complete PDF")
	}
	if name := forbiddenIn(data); name != "" {
		return errs.E(op, errs.Invalid, "the PDF contains %s; PDFs with scripts or automatic actions are not accepted", describe(name))
	}
	budget := int64(maxInflate)
	for _, loc := range pdfStream.FindAllIndex(data, -1) {
		if budget <= 0 {
			return errs.E(op, errs.Invalid, "the PDF's compressed content is too large to examine")
		}
		zr, err := zlib.NewReader(bytes.NewReader(data[loc[1]:]))
		if err != nil {
			continue // not a Flate stream: images and the like
		}
		plain, _ := io.ReadAll(io.LimitReader(zr, budget))
		zr.Close()
		budget -= int64(len(plain))
		if name := forbiddenIn(plain); name != "" {
			return errs.E(op, errs.Invalid, "the PDF contains %s; PDFs with scripts or automatic actions are not accepted", describe(name))
		}
	}
	return nil
}

func describe(name string) string {
	if name == "AA" || name == "Launch" {
		return "automatic actions"
	}
	return "JavaScript"
}

// forbiddenIn returns the first forbidden name in b, decoded from #xx
// escapes, or "".
func forbiddenIn(b []byte) string {
	for _, m := range pdfName.FindAll(b, -1) {
		n := decodeName(m[1:])
		if forbiddenNames[n] {
			return n
		}
	}
	return ""
}

func decodeName(b []byte) string {
	if !bytes.ContainsRune(b, '#') {
		return string(b)
	}
	var out []byte
	for i := 0; i < len(b); i++ {
		if b[i] == '#' && i+2 < len(b) {
			if v, ok := unhex(b[i+1], b[i+2]); ok {
				out = append(out, v)
				i += 2
				continue
			}
		}
		out = append(out, b[i])
	}
	return string(out)
}

func unhex(a, b byte) (byte, bool) {
	h := func(c byte) (byte, bool) {
		switch {
		case '0' <= c && c <= '9':
			return c - '0', true
		case 'a' <= c && c <= 'f':
			return c - 'a' + 10, true
		case 'A' <= c && c <= 'F':
			return c - 'A' + 10, true
		}
		return 0, false
	}
	x, ok1 := h(a)
	y, ok2 := h(b)
	return x<<4 | y, ok1 && ok2
}

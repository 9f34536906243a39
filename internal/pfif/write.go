package pfif

import (
	"bufio"
	"io"
	"unicode/utf8"

	"lifeline/internal/errs"
)

// Write writes persons (each with its nested notes) and top-level notes as
// a PFIF 1.4 document in the namespace http://zesty.ca/pfif/1.4, with the
// pfif: prefix, fields in specification order and empty fields left out.
// Values are written as they are; characters XML cannot carry are replaced
// by U+FFFD. Write does not validate: run Validate on the output for that.
func Write(w io.Writer, persons []Person, notes []Note) error {
	const op = "pfif.Write"
	bw := bufio.NewWriter(w)
	bw.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	bw.WriteString(`<pfif:pfif xmlns:pfif="` + Namespace14 + `">` + "\n")
	for i := range persons {
		p := &persons[i]
		bw.WriteString("  <pfif:person>\n")
		for _, name := range personFields["1.4"] {
			writeField(bw, "    ", name, *personField(p, name))
		}
		for j := range p.Notes {
			writeNote(bw, "    ", &p.Notes[j])
		}
		bw.WriteString("  </pfif:person>\n")
	}
	for i := range notes {
		writeNote(bw, "  ", &notes[i])
	}
	bw.WriteString("</pfif:pfif>\n")
	if err := bw.Flush(); err != nil {
		return errs.Wrap(op, err)
	}
	return nil
}

func writeNote(bw *bufio.Writer, indent string, n *Note) {
	bw.WriteString(indent + "<pfif:note>\n")
	for _, name := range noteFields["1.4"] {
		writeField(bw, indent+"  ", name, *noteField(n, name))
	}
	bw.WriteString(indent + "</pfif:note>\n")
}

func writeField(bw *bufio.Writer, indent, name, value string) {
	if value == "" {
		return
	}
	bw.WriteString(indent + "<pfif:" + name + ">")
	escape(bw, value)
	bw.WriteString("</pfif:" + name + ">\n")
}

// escape writes s as XML character data. Quotes need no escaping in
// content; a carriage return is written as a reference so that it survives
// the end-of-line normalisation of the reader.
func escape(bw *bufio.Writer, s string) {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '&':
			bw.WriteString("&amp;")
		case r == '<':
			bw.WriteString("&lt;")
		case r == '>':
			bw.WriteString("&gt;")
		case r == '\r':
			bw.WriteString("&#xD;")
		case r == utf8.RuneError && size == 1, !xmlChar(r):
			bw.WriteRune(utf8.RuneError)
		default:
			bw.WriteString(s[i : i+size])
		}
		i += size
	}
}

// xmlChar reports whether r may appear in an XML 1.0 document.
func xmlChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' ||
		(r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

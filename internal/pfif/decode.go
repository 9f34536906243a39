package pfif

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"lifeline/internal/errs"
)

// rawField is one field element as written.
type rawField struct {
	name   string
	value  string
	line   int
	path   string
	markup bool // the field held child elements
}

// rawRecord is one person or note element as written, before any mapping.
type rawRecord struct {
	kind     string // "person" or "note"
	top      bool   // a note directly under the root
	line     int
	path     string
	fields   []rawField
	notes    []*rawRecord // nested notes of a person
	children []string     // names of the PFIF children in document order ("note" for nested notes)
}

// get returns the first value of the named field.
func (r *rawRecord) get(name string) (string, bool) {
	for _, f := range r.fields {
		if f.name == name {
			return f.value, true
		}
	}
	return "", false
}

// id returns the record's own id, trimmed.
func (r *rawRecord) id() string {
	name := "person_record_id"
	if r.kind == "note" {
		name = "note_record_id"
	}
	v, _ := r.get(name)
	return strings.TrimSpace(v)
}

// rawDoc is a decoded document with the structural findings of decoding.
type rawDoc struct {
	version  string
	persons  []*rawRecord
	notes    []*rawRecord
	problems []Problem
}

var errTooLarge = errors.New("pfif: document too large")

// limitReader fails with errTooLarge once more than n bytes were read.
// It remembers a failure of the underlying reader, to tell it apart from
// the decoder's own errors.
type limitReader struct {
	r   io.Reader
	n   int64
	err error
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n < 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > l.n+1 {
		p = p[:l.n+1]
	}
	n, err := l.r.Read(p)
	if err != nil && err != io.EOF {
		l.err = err
	}
	l.n -= int64(n)
	if l.n < 0 {
		return n, errTooLarge
	}
	return n, err
}

// decoder walks the token stream of one document.
type decoder struct {
	op  string
	src *limitReader
	d   *xml.Decoder
	ns  string
	doc *rawDoc
}

// decode reads a whole PFIF document. It returns an error of kind Invalid
// when the input is not well-formed XML or not PFIF, TooLarge when it passes
// the limits, and keeps every other finding in rawDoc.problems.
func decode(op string, r io.Reader) (*rawDoc, error) {
	src := &limitReader{r: r, n: MaxDocumentBytes}
	d := xml.NewDecoder(bufio.NewReader(src))
	d.Strict = true
	d.CharsetReader = charsetReader
	dec := &decoder{op: op, src: src, d: d, doc: &rawDoc{}}
	if err := dec.root(); err != nil {
		return nil, err
	}
	return dec.doc, nil
}

func (dec *decoder) line() int {
	l, _ := dec.d.InputPos()
	return l
}

func (dec *decoder) problem(line int, path, field string, code Code, format string, args ...any) {
	dec.doc.problems = append(dec.doc.problems, Problem{Line: line, Path: path, Field: field, Code: code, Message: fmt.Sprintf(format, args...)})
}

// token returns the next token, turning decoder failures into Lifeline errors.
func (dec *decoder) token() (xml.Token, error) {
	t, err := dec.d.Token()
	if err == nil {
		return t, nil
	}
	if errors.Is(err, errTooLarge) {
		return nil, errs.E(dec.op, errs.TooLarge, "the PFIF document is larger than %d bytes", MaxDocumentBytes)
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return nil, errs.E(dec.op, errs.Invalid, "not well-formed XML at line %d: %s", se.Line, se.Msg)
	}
	if err == io.EOF {
		return nil, err
	}
	if dec.src.err != nil {
		return nil, errs.Wrap(dec.op, dec.src.err)
	}
	// What remains are the decoder's own refusals, such as an unsupported charset.
	return nil, errs.E(dec.op, errs.Invalid, "not a PFIF document: %v", err)
}

func (dec *decoder) root() error {
	var sawRoot bool
	for {
		t, err := dec.token()
		if err == io.EOF {
			if !sawRoot {
				return errs.E(dec.op, errs.Invalid, "not a PFIF document: no XML element found")
			}
			return nil
		}
		if err != nil {
			return err
		}
		switch t := t.(type) {
		case xml.StartElement:
			if sawRoot {
				dec.problem(dec.line(), "", "", CodeStructure, "a second root element <%s> after pfif", t.Name.Local)
				if err := dec.skip(1); err != nil {
					return err
				}
				continue
			}
			sawRoot = true
			if t.Name.Local != "pfif" {
				return errs.E(dec.op, errs.Invalid, "not a PFIF document: the root element is <%s>, not <pfif>", t.Name.Local)
			}
			v, ok := versions[t.Name.Space]
			if !ok {
				if t.Name.Space == "" {
					return errs.E(dec.op, errs.Invalid, "not a PFIF document: the pfif element has no namespace; want http://zesty.ca/pfif/1.1 to 1.4")
				}
				return errs.E(dec.op, errs.Invalid, "not a PFIF document: unknown namespace %q; want http://zesty.ca/pfif/1.1 to 1.4", t.Name.Space)
			}
			dec.ns = t.Name.Space
			dec.doc.version = v
			if err := dec.pfif(); err != nil {
				return err
			}
		case xml.CharData:
			if len(strings.TrimSpace(string(t))) > 0 {
				return errs.E(dec.op, errs.Invalid, "not a PFIF document: text outside the root element at line %d", dec.line())
			}
		case xml.Directive:
			dec.problem(dec.line(), "", "", CodeStructure, "a DOCTYPE or other directive; PFIF documents have none")
		}
	}
}

// pfif reads the children of the root element.
func (dec *decoder) pfif() error {
	var persons, notes int
	for {
		t, err := dec.token()
		if err == io.EOF {
			return errs.E(dec.op, errs.Invalid, "not well-formed XML: the document ends inside <pfif>")
		}
		if err != nil {
			return err
		}
		switch t := t.(type) {
		case xml.EndElement:
			if persons+notes == 0 {
				dec.problem(dec.line(), "pfif", "", CodeMissing, "the document holds no person or note")
			}
			return nil
		case xml.CharData:
			if len(strings.TrimSpace(string(t))) > 0 {
				dec.problem(dec.line(), "pfif", "", CodeStructure, "text directly inside <pfif>")
			}
		case xml.StartElement:
			line := dec.line()
			switch {
			case t.Name.Space == dec.ns && t.Name.Local == "person":
				persons++
				rec, err := dec.record("person", fmt.Sprintf("pfif/person[%d]", persons), line, 2)
				if err != nil {
					return err
				}
				dec.doc.persons = append(dec.doc.persons, rec)
			case t.Name.Space == dec.ns && t.Name.Local == "note":
				notes++
				path := fmt.Sprintf("pfif/note[%d]", notes)
				if dec.doc.version == "1.1" {
					dec.problem(line, path, "", CodeUnknown, "PFIF 1.1 has no top-level notes; notes belong inside a person")
				}
				rec, err := dec.record("note", path, line, 2)
				if err != nil {
					return err
				}
				rec.top = true
				dec.doc.notes = append(dec.doc.notes, rec)
			default:
				dec.foreign(t.Name, "pfif", line)
				if err := dec.skip(2); err != nil {
					return err
				}
			}
		}
	}
}

// foreign reports an element that is not part of PFIF where it stands.
// Elements of other (non-empty) namespaces are extensions and pass.
func (dec *decoder) foreign(name xml.Name, parent string, line int) {
	switch name.Space {
	case dec.ns:
		dec.problem(line, parent+"/"+name.Local, name.Local, CodeUnknown, "<%s> is not allowed here in PFIF %s", name.Local, dec.doc.version)
	case "":
		dec.problem(line, parent+"/"+name.Local, name.Local, CodeUnknown, "<%s> is in no namespace; PFIF %s elements are in %s", name.Local, dec.doc.version, dec.ns)
	default:
		if _, ok := versions[name.Space]; ok {
			dec.problem(line, parent+"/"+name.Local, name.Local, CodeUnknown, "<%s> is in namespace %s, but the document is PFIF %s", name.Local, name.Space, dec.doc.version)
		}
	}
}

// record reads a person or note element whose start tag was just read.
func (dec *decoder) record(kind, path string, line, depth int) (*rawRecord, error) {
	rec := &rawRecord{kind: kind, line: line, path: path}
	for {
		t, err := dec.token()
		if err == io.EOF {
			return nil, errs.E(dec.op, errs.Invalid, "not well-formed XML: the document ends inside <%s>", kind)
		}
		if err != nil {
			return nil, err
		}
		switch t := t.(type) {
		case xml.EndElement:
			return rec, nil
		case xml.CharData:
			if len(strings.TrimSpace(string(t))) > 0 {
				dec.problem(dec.line(), path, "", CodeStructure, "text directly inside <%s>, outside any field", kind)
			}
		case xml.StartElement:
			fline := dec.line()
			if depth+1 > MaxDepth {
				return nil, errs.E(dec.op, errs.Invalid, "elements nested deeper than %d levels at line %d", MaxDepth, fline)
			}
			if t.Name.Space != dec.ns {
				dec.foreign(t.Name, path, fline)
				if err := dec.skip(depth + 1); err != nil {
					return nil, err
				}
				continue
			}
			if kind == "person" && t.Name.Local == "note" {
				n := len(rec.notes) + 1
				note, err := dec.record("note", fmt.Sprintf("%s/note[%d]", path, n), fline, depth+1)
				if err != nil {
					return nil, err
				}
				rec.notes = append(rec.notes, note)
				rec.children = append(rec.children, "note")
				continue
			}
			f, err := dec.field(t.Name.Local, path+"/"+t.Name.Local, fline, depth+1)
			if err != nil {
				return nil, err
			}
			rec.fields = append(rec.fields, f)
			rec.children = append(rec.children, t.Name.Local)
		}
	}
}

// field reads the text of a field element whose start tag was just read.
func (dec *decoder) field(name, path string, line, depth int) (rawField, error) {
	f := rawField{name: name, line: line, path: path}
	var b strings.Builder
	level := 1
	for level > 0 {
		t, err := dec.token()
		if err == io.EOF {
			return f, errs.E(dec.op, errs.Invalid, "not well-formed XML: the document ends inside <%s>", name)
		}
		if err != nil {
			return f, err
		}
		switch t := t.(type) {
		case xml.StartElement:
			f.markup = true
			level++
			if depth+level-1 > MaxDepth {
				return f, errs.E(dec.op, errs.Invalid, "elements nested deeper than %d levels at line %d", MaxDepth, dec.line())
			}
		case xml.EndElement:
			level--
		case xml.CharData:
			if b.Len()+len(t) > MaxFieldBytes {
				return f, errs.E(dec.op, errs.TooLarge, "field <%s> at line %d is longer than %d bytes", name, line, MaxFieldBytes)
			}
			b.Write(t)
		}
	}
	f.value = b.String()
	return f, nil
}

// skip consumes the rest of an element whose start tag was just read,
// refusing nesting deeper than MaxDepth.
func (dec *decoder) skip(depth int) error {
	level := 1
	for level > 0 {
		t, err := dec.token()
		if err == io.EOF {
			return errs.E(dec.op, errs.Invalid, "not well-formed XML: the document ends inside an element")
		}
		if err != nil {
			return err
		}
		switch t.(type) {
		case xml.StartElement:
			level++
			if depth+level-1 > MaxDepth {
				return errs.E(dec.op, errs.Invalid, "elements nested deeper than %d levels at line %d", MaxDepth, dec.line())
			}
		case xml.EndElement:
			level--
		}
	}
	return nil
}

// charsetReader accepts the single-byte encodings that old PFIF feeds
// declare besides UTF-8: US-ASCII and ISO-8859-1.
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "us-ascii", "ascii", "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1":
		return &latin1Reader{r: bufio.NewReader(input)}, nil
	}
	return nil, fmt.Errorf("unsupported charset %q; PFIF documents are UTF-8", label)
}

// latin1Reader decodes ISO-8859-1 (and so US-ASCII) to UTF-8.
type latin1Reader struct {
	r   *bufio.Reader
	buf []byte
}

func (l *latin1Reader) Read(p []byte) (int, error) {
	for len(l.buf) == 0 {
		c, err := l.r.ReadByte()
		if err != nil {
			return 0, err
		}
		l.buf = utf8.AppendRune(l.buf[:0], rune(c))
	}
	n := copy(p, l.buf)
	l.buf = l.buf[n:]
	return n, nil
}

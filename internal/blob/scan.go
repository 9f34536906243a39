// Package blob keeps the scans of letters, photographs and drawings.
//
// Prepare checks an upload: its type is decided by its content (magic
// bytes and a real decode, never the file name), its size and pixel count
// are limited, images are re-encoded from their pixels so that no EXIF,
// XMP, GPS, IPTC or comment segment survives, and PDFs that carry
// JavaScript or automatic actions are refused. Images get a thumbnail.
//
// Blobs are content-addressed by SHA-256: the same scan is stored once, in
// a folder of the data directory (Dir) or in the database (Table).
package blob

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/draw"

	"lifeline/internal/errs"
)

// Type is the media type of a scan.
type Type string

const (
	JPEG Type = "image/jpeg"
	PNG  Type = "image/png"
	PDF  Type = "application/pdf"
)

// Image reports whether t is an image type.
func (t Type) Image() bool { return t == JPEG || t == PNG }

// Ext is the usual file name extension of t, with its dot.
func (t Type) Ext() string {
	switch t {
	case JPEG:
		return ".jpg"
	case PNG:
		return ".png"
	case PDF:
		return ".pdf"
	}
	return ""
}

// Limits bound what Prepare accepts.
type Limits struct {
	MaxBytes  int64 // the largest file, in bytes
	MaxPixels int64 // the most pixels of an image (width × height)
}

// DefaultLimits are 20 MB a file and 40 megapixels an image.
func DefaultLimits() Limits { return Limits{MaxBytes: 20 << 20, MaxPixels: 40_000_000} }

// ThumbWidth is the width of thumbnails, in pixels.
const ThumbWidth = 240

// Scan is a checked upload, ready to store.
type Scan struct {
	Type     Type
	Data     []byte // what is stored: for images re-encoded without any metadata
	Key      string // hex SHA-256 of Data
	Width    int    // pixels; 0 for a PDF
	Height   int    // pixels; 0 for a PDF
	Thumb    []byte // JPEG thumbnail; nil for a PDF (the UI shows an icon)
	ThumbKey string // hex SHA-256 of Thumb; "" for a PDF
}

// Key returns the content address of data: its SHA-256 in hex.
func Key(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// Sniff returns the type of data by its first bytes, or "" when it is none
// of JPEG, PNG or PDF.
func Sniff(data []byte) Type {
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		return JPEG
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return PNG
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return PDF
	}
	return ""
}

// Prepare reads one upload from r and checks it. It never reads more than
// lim.MaxBytes+1 bytes, so a huge upload costs no more memory than the
// limit. Errors: TooLarge over a limit, Invalid for anything else wrong.
func Prepare(r io.Reader, lim Limits) (*Scan, error) {
	const op = "blob.Prepare"
	if lim.MaxBytes <= 0 || lim.MaxPixels <= 0 {
		lim = DefaultLimits()
	}
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(r, lim.MaxBytes+1))
	if err != nil {
		if errs.Is(err, errs.TooLarge) {
			return nil, err
		}
		return nil, &errs.Error{Op: op, Kind: errs.Invalid, Message: "the upload could not be read", Err: err}
	}
	if n > lim.MaxBytes {
		return nil, errs.E(op, errs.TooLarge, "the file is larger than %d MB", lim.MaxBytes>>20)
	}
	if n == 0 {
		return nil, errs.E(op, errs.Invalid, "the file is empty")
	}
	data := buf.Bytes()
	switch Sniff(data) {
	case JPEG:
		return prepareImage(op, data, JPEG, lim)
	case PNG:
		return prepareImage(op, data, PNG, lim)
	case PDF:
		if err := CheckPDF(data); err != nil {
			return nil, err
		}
		return &Scan{Type: PDF, Data: data, Key: Key(data)}, nil
	}
	return nil, errs.E(op, errs.Invalid, "the file is not a JPEG, PNG or PDF")
}

func prepareImage(op string, data []byte, t Type, lim Limits) (*Scan, error) {
	name := "PNG"
	if t == JPEG {
		name = "JPEG"
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || Type("image/"+format) != t {
		return nil, errs.E(op, errs.Invalid, "the file is not a valid %s image", name)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, errs.E(op, errs.Invalid, "the image has no pixels")
	}
	if int64(cfg.Width)*int64(cfg.Height) > lim.MaxPixels {
		return nil, errs.E(op, errs.TooLarge, "the image has more than %d megapixels", lim.MaxPixels/1_000_000)
	}
	var img image.Image
	if t == JPEG {
		img, err = jpeg.Decode(bytes.NewReader(data))
	} else {
		img, err = png.Decode(bytes.NewReader(data))
	}
	if err != nil {
		return nil, errs.E(op, errs.Invalid, "the file is not a valid %s image", name)
	}
	if t == JPEG {
		img = orient(img, jpegOrientation(data))
	}
	var out bytes.Buffer
	if t == JPEG {
		err = jpeg.Encode(&out, img, &jpeg.Options{Quality: 90})
	} else {
		err = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&out, img)
	}
	if err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	thumb, err := Thumbnail(img)
	if err != nil {
		return nil, errs.WrapKind(op, errs.Internal, err)
	}
	b := img.Bounds()
	return &Scan{
		Type: t, Data: out.Bytes(), Key: Key(out.Bytes()), Width: b.Dx(), Height: b.Dy(),
		Thumb: thumb, ThumbKey: Key(thumb),
	}, nil
}

// Thumbnail returns img scaled to ThumbWidth pixels wide (never enlarged)
// as a JPEG, over white where the image is transparent.
func Thumbnail(img image.Image) ([]byte, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > ThumbWidth {
		h = max(1, int(int64(h)*ThumbWidth/int64(w)))
		w = ThumbWidth
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), img, b, draw.Over, nil)
	var out bytes.Buffer
	if err := jpeg.Encode(&out, dst, &jpeg.Options{Quality: 80}); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// Package errs defines the error kinds shared by every layer of Lifeline.
//
// An error is built with an operation, a kind and a message meant for the
// user. Handlers map kinds to HTTP statuses and exit codes through one
// function each; internal detail never reaches a client.
package errs

import (
	"errors"
	"fmt"
)

// Kind classifies an error.
type Kind string

const (
	Other           Kind = ""                   // unclassified: treated as Internal
	Invalid         Kind = "invalid"            // the input is wrong
	NotFound        Kind = "not_found"          // no such record, or not visible to the caller
	Conflict        Kind = "conflict"           // the record's state forbids the change
	Forbidden       Kind = "forbidden"          // authenticated, but not allowed
	Unauthenticated Kind = "unauthenticated"    // no valid credentials
	TooLarge        Kind = "too_large"          // a body or file over its limit
	RateLimited     Kind = "rate_limited"       // too many attempts
	NotAllowed      Kind = "method_not_allowed" // the path exists, not with this method
	Internal        Kind = "internal"           // a bug or an outage: never the user's fault
)

// Error is the error type of Lifeline.
type Error struct {
	Op      string            // the operation, e.g. "store.CreatePerson"
	Kind    Kind              // the class of error
	Message string            // a message safe to show to the user
	Fields  map[string]string // per-field messages, for validation errors
	Err     error             // the underlying error, never shown to users
}

func (e *Error) Error() string {
	s := e.Op
	if e.Kind != Other {
		s = join(s, string(e.Kind))
	}
	if e.Message != "" {
		s = join(s, e.Message)
	}
	for k, v := range e.Fields {
		s = join(s, k+": "+v)
	}
	if e.Err != nil {
		s = join(s, e.Err.Error())
	}
	return s
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + ": " + b
}

func (e *Error) Unwrap() error { return e.Err }

// E builds an error for op of kind k with a user-facing message.
func E(op string, k Kind, format string, args ...any) *Error {
	return &Error{Op: op, Kind: k, Message: fmt.Sprintf(format, args...)}
}

// Wrap wraps err for op, keeping the kind of err when it has one.
func Wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Op: op, Kind: KindOf(err), Err: err}
}

// WrapKind wraps err for op with kind k.
func WrapKind(op string, k Kind, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Op: op, Kind: k, Err: err}
}

// Fields builds an Invalid error with one message per field.
func Fields(op string, fields map[string]string) *Error {
	return &Error{Op: op, Kind: Invalid, Message: "some fields are not valid", Fields: fields}
}

// KindOf reports the kind of the outermost classified error in err's chain.
func KindOf(err error) Kind {
	for err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return Internal
		}
		if e.Kind != Other {
			return e.Kind
		}
		err = e.Err
	}
	return Other
}

// Is reports whether err is of kind k.
func Is(err error, k Kind) bool { return err != nil && KindOf(err) == k }

// MessageOf returns the first user-facing message in err's chain, or a
// generic text for its kind. It never returns internal detail.
func MessageOf(err error) string {
	for e := err; e != nil; {
		var x *Error
		if !errors.As(e, &x) {
			break
		}
		if x.Message != "" {
			return x.Message
		}
		e = x.Err
	}
	switch KindOf(err) {
	case Invalid:
		return "the request is not valid"
	case NotFound:
		return "not found"
	case Conflict:
		return "the request conflicts with the current state"
	case Forbidden:
		return "you are not allowed to do this"
	case Unauthenticated:
		return "you need to log in"
	case TooLarge:
		return "the request is too large"
	case RateLimited:
		return "too many attempts; try again later"
	}
	return "internal error"
}

// FieldsOf returns the per-field messages in err's chain, if any.
func FieldsOf(err error) map[string]string {
	for e := err; e != nil; {
		var x *Error
		if !errors.As(e, &x) {
			break
		}
		if x.Fields != nil {
			return x.Fields
		}
		e = x.Err
	}
	return nil
}

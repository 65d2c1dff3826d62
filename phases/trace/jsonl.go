package trace

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
)

// MaxLineSize is the longest JSON line, in bytes and not counting the
// newline, that a JSONReader accepts. An event whose Note or Name is so long
// that its line is longer still can be written but not read back.
const MaxLineSize = 1 << 20

// JSONWriter is a Sink that writes each event to an io.Writer as one JSON
// object on one line (JSON Lines). Kinds and wake sources travel by name;
// fields that do not apply to the event's kind are omitted.
//
// Each event is encoded into a buffer owned by the JSONWriter and written
// with a single Write call, so lines from concurrent events never
// interleave and a reader at the other end of a pipe sees each event as
// soon as it happens. For throughput, give it a *bufio.Writer and call
// Flush when done.
//
// The first error, from encoding (an event with an invalid Kind or Source)
// or from writing, is kept and reported by Err and Flush. An event that
// cannot be encoded is skipped; after a write error every later event is
// discarded.
//
// A JSONWriter is safe for concurrent use. It must be created with
// NewJSONWriter; the zero value is not usable.
type JSONWriter struct {
	mu     sync.Mutex
	w      io.Writer
	buf    bytes.Buffer
	enc    *json.Encoder // encodes into buf
	err    error         // first error
	broken bool          // a write failed: discard everything
}

// NewJSONWriter returns a JSONWriter writing to w.
func NewJSONWriter(w io.Writer) *JSONWriter {
	j := &JSONWriter{w: w}
	j.enc = json.NewEncoder(&j.buf)
	j.enc.SetEscapeHTML(false)
	return j
}

// Event writes *e as one JSON line.
func (j *JSONWriter) Event(e *Event) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.broken {
		return
	}
	j.buf.Reset()
	if err := j.enc.Encode(e); err != nil { // Encode adds the newline
		j.setErrLocked(fmt.Errorf("trace: encoding event #%d: %w", e.Seq, err))
		return
	}
	n, err := j.w.Write(j.buf.Bytes())
	if err == nil && n < j.buf.Len() {
		err = io.ErrShortWrite
	}
	if err != nil {
		j.broken = true
		j.setErrLocked(fmt.Errorf("trace: writing event #%d: %w", e.Seq, err))
	}
}

func (j *JSONWriter) setErrLocked(err error) {
	if j.err == nil {
		j.err = err
	}
}

// Err returns the first error the JSONWriter met, or nil.
func (j *JSONWriter) Err() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.err
}

// Flush flushes the underlying writer if it has a Flush() error method (as
// a *bufio.Writer does), serialized with concurrent events. It returns the
// first error the JSONWriter met, including one from this flush.
func (j *JSONWriter) Flush() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if f, ok := j.w.(interface{ Flush() error }); ok && !j.broken {
		if err := f.Flush(); err != nil {
			j.broken = true
			j.setErrLocked(fmt.Errorf("trace: flushing: %w", err))
		}
	}
	return j.err
}

// LineError is the error a JSONReader returns for a line it cannot turn
// into an event. Line counts from 1.
type LineError struct {
	Line int
	Err  error
}

// Error reports the line number and what was wrong with the line.
func (e *LineError) Error() string {
	return fmt.Sprintf("trace: line %d: %s", e.Line, strings.TrimPrefix(e.Err.Error(), "trace: "))
}

// Unwrap returns the underlying error.
func (e *LineError) Unwrap() error { return e.Err }

// errMissingKind reports a line without a "kind" (or with the zero kind).
var errMissingKind = errors.New("trace: event has no kind")

// JSONReader reads events written by a JSONWriter, one JSON object per line.
// Blank lines are skipped. Fields the reader does not know are ignored, so
// files written by a later version stay readable as long as their kinds are
// known; an unknown kind is an error.
//
// A JSONReader is not safe for concurrent use. It must be created with
// NewJSONReader; the zero value is not usable.
type JSONReader struct {
	sc   *bufio.Scanner
	line int   // number of the last line scanned
	err  error // sticky error, io.EOF at the end
}

// NewJSONReader returns a JSONReader reading from r.
func NewJSONReader(r io.Reader) *JSONReader {
	sc := bufio.NewScanner(r)
	// A line of MaxLineSize bytes needs one more for its newline.
	sc.Buffer(make([]byte, 0, 64<<10), MaxLineSize+1)
	return &JSONReader{sc: sc}
}

// Next returns the next event. At the end of the input it returns io.EOF.
// A line that is not a JSON object describing an event, or whose kind or
// wake source is unknown, or that is longer than MaxLineSize, gives a
// *LineError naming the line. Errors are sticky: after one, Next keeps
// returning it.
func (r *JSONReader) Next() (Event, error) {
	if r.err != nil {
		return Event{}, r.err
	}
	for r.sc.Scan() {
		r.line++
		b := r.sc.Bytes()
		if len(bytes.Trim(b, " \t\r")) == 0 { // JSON whitespace only
			continue
		}
		var e Event
		if err := json.Unmarshal(b, &e); err != nil {
			r.err = &LineError{Line: r.line, Err: err}
			return Event{}, r.err
		}
		if e.Kind == KindInvalid {
			r.err = &LineError{Line: r.line, Err: errMissingKind}
			return Event{}, r.err
		}
		return e, nil
	}
	err := r.sc.Err()
	switch {
	case err == nil:
		r.err = io.EOF
		return Event{}, r.err
	case errors.Is(err, bufio.ErrTooLong):
		r.line++
		r.err = &LineError{Line: r.line, Err: fmt.Errorf("longer than %d bytes", MaxLineSize)}
	default:
		r.line++
		r.err = fmt.Errorf("trace: reading line %d: %w", r.line, err)
	}
	return Event{}, r.err
}

// Line returns the number of the line the last event or error came from,
// counting from 1; blank lines count.
func (r *JSONReader) Line() int { return r.line }

// ReadJSON calls fn with each event read from r, in order, as a JSONReader
// would return them. It stops at the end of the input and returns nil, or
// at the first error: a *LineError for a bad line, a read error, or
// whatever fn returned, unchanged.
func ReadJSON(r io.Reader, fn func(Event) error) error {
	jr := NewJSONReader(r)
	for {
		e, err := jr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
}

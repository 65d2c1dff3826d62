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
	"testing"
)

// fullEvent returns an event of kind k with every field set, strings
// included that need escaping.
func fullEvent(k Kind) Event {
	return Event{
		Seq:    uint64(k) + 1<<40,
		Time:   -int64(k) - 1<<50,
		Exec:   1<<31 + uint32(k),
		Task:   1<<63 + uint64(k),
		Kind:   k,
		Ready:  true,
		By:     SourceCompletion,
		From:   42,
		Queue:  -7,
		Holder: "timer <&> \"quoted\"",
		Name:   "ünïcödé \u2028 \x00 tab\t",
		Note:   "line\nbreak \\ slash / " + k.String(),
	}
}

// writeAll encodes evs with a JSONWriter.
func writeAll(t testing.TB, evs []Event) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := NewJSONWriter(&buf)
	for i := range evs {
		w.Event(&evs[i])
	}
	if err := w.Flush(); err != nil {
		t.Fatalf("JSONWriter: %v", err)
	}
	return buf.Bytes()
}

// readAll decodes everything ReadJSON accepts, and its error.
func readAll(data []byte) ([]Event, error) {
	var evs []Event
	err := ReadJSON(bytes.NewReader(data), func(e Event) error {
		evs = append(evs, e)
		return nil
	})
	return evs, err
}

func TestJSONRoundTripEveryKind(t *testing.T) {
	var evs []Event
	for _, k := range Kinds() {
		evs = append(evs, fullEvent(k))
	}
	data := writeAll(t, evs)

	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != len(evs) {
		t.Fatalf("%d lines for %d events:\n%s", len(lines), len(evs), data)
	}
	for i, line := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %d is not a JSON object: %v\n%s", i+1, err, line)
		}
		if m["kind"] != evs[i].Kind.String() || m["by"] != "completion" {
			t.Errorf("line %d: kind %v by %v, want names %q and %q", i+1, m["kind"], m["by"], evs[i].Kind, "completion")
		}
	}

	got, err := readAll(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(evs) {
		t.Fatalf("read %d events, want %d", len(got), len(evs))
	}
	for i := range evs {
		if got[i] != evs[i] {
			t.Errorf("event %d:\n got %#v\nwant %#v", i, got[i], evs[i])
		}
	}

	// The same through JSONReader.Next.
	r := NewJSONReader(bytes.NewReader(data))
	for i := range evs {
		e, err := r.Next()
		if err != nil || e != evs[i] {
			t.Fatalf("Next #%d = %v, %v; want %v", i+1, e, err, evs[i])
		}
		if r.Line() != i+1 {
			t.Fatalf("Line() = %d after event %d", r.Line(), i+1)
		}
	}
	for range 2 {
		if _, err := r.Next(); err != io.EOF {
			t.Fatalf("Next at the end = %v, want io.EOF", err)
		}
	}
}

func TestJSONOmitsUnusedFields(t *testing.T) {
	e := Event{Seq: 1, Exec: 1, Kind: Parked}
	got := string(writeAll(t, []Event{e}))
	want := `{"seq":1,"t":0,"exec":1,"kind":"parked"}` + "\n"
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestJSONReaderSkipsBlankLines(t *testing.T) {
	in := "\n" +
		`{"seq":1,"t":5,"exec":1,"kind":"parked"}` + "\r\n" +
		"   \t\r\n" +
		"\n" +
		`{"seq":2,"t":6,"exec":1,"kind":"unparked","note":"timer"}` // no final newline
	r := NewJSONReader(strings.NewReader(in))
	e1, err := r.Next()
	if err != nil || e1 != (Event{Seq: 1, Time: 5, Exec: 1, Kind: Parked}) || r.Line() != 2 {
		t.Fatalf("first: %v, %v, line %d", e1, err, r.Line())
	}
	e2, err := r.Next()
	if err != nil || e2 != (Event{Seq: 2, Time: 6, Exec: 1, Kind: Unparked, Note: "timer"}) || r.Line() != 5 {
		t.Fatalf("second: %v, %v, line %d", e2, err, r.Line())
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("end: %v", err)
	}
	if evs, err := readAll([]byte("\n\n  \n")); err != nil || evs != nil {
		t.Fatalf("blank input: %v, %v", evs, err)
	}
}

func TestJSONReaderErrors(t *testing.T) {
	const good = `{"seq":1,"exec":1,"kind":"parked"}`
	tests := []struct {
		name string
		in   string
		line int
		want string // in the error message
	}{
		{"not json", good + "\n\nnot json\n", 3, "line 3"},
		{"unknown kind", good + "\n" + `{"seq":2,"kind":"teleported"}`, 2, `"teleported"`},
		{"invalid kind name", `{"kind":"invalid"}`, 1, `"invalid"`},
		{"unknown source", `{"kind":"woken","by":"ghost"}`, 1, `"ghost"`},
		{"missing kind", `{"seq":1}`, 1, "no kind"},
		{"null", `null`, 1, "no kind"},
		{"array", `[1,2]`, 1, "line 1"},
		{"string", `"woken"`, 1, "line 1"},
		{"trailing data", good + ` {"kind":"parked"}`, 1, "line 1"},
		{"truncated", `{"seq":1,"kind":"parked"`, 1, "line 1"},
		{"negative seq", `{"seq":-1,"kind":"parked"}`, 1, "line 1"},
		{"float seq", `{"seq":1.5,"kind":"parked"}`, 1, "line 1"},
		{"huge seq", `{"seq":1e30,"kind":"parked"}`, 1, "line 1"},
		{"seq overflow", `{"seq":18446744073709551616,"kind":"parked"}`, 1, "line 1"},
		{"exec overflow", `{"exec":4294967296,"kind":"parked"}`, 1, "line 1"},
		{"numeric kind", `{"kind":3}`, 1, "line 1"},
		{"string ready", `{"kind":"poll-ended","ready":"yes"}`, 1, "line 1"},
		{"bad utf-8 outside strings", "{\"kind\":\"parked\"}\xff", 1, "line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewJSONReader(strings.NewReader(tt.in))
			var err error
			for err == nil {
				_, err = r.Next()
			}
			var le *LineError
			if !errors.As(err, &le) {
				t.Fatalf("error %v (%T) is not a *LineError", err, err)
			}
			if le.Line != tt.line || r.Line() != tt.line {
				t.Errorf("error on line %d (Line() %d), want %d: %v", le.Line, r.Line(), tt.line, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, fmt.Sprintf("line %d", tt.line)) || !strings.Contains(msg, tt.want) {
				t.Errorf("error %q does not name line %d and %s", msg, tt.line, tt.want)
			}
			if strings.Contains(msg, "trace: trace:") {
				t.Errorf("error %q repeats its prefix", msg)
			}
			if _, again := r.Next(); again != err {
				t.Errorf("error not sticky: then %v", again)
			}
			if rerr := ReadJSON(strings.NewReader(tt.in), func(Event) error { return nil }); rerr == nil || rerr.Error() != msg {
				t.Errorf("ReadJSON error %v, want %v", rerr, err)
			}
		})
	}
}

func TestJSONReaderLineLimit(t *testing.T) {
	// An event padded so that its line is exactly MaxLineSize bytes.
	e := Event{Seq: 1, Exec: 1, Kind: Panicked}
	base := len(writeAll(t, []Event{e})) - 1
	e.Note = strings.Repeat("x", MaxLineSize-base-len(`,"note":""`))
	line := writeAll(t, []Event{e})
	if len(line) != MaxLineSize+1 {
		t.Fatalf("test line is %d bytes, want %d", len(line), MaxLineSize+1)
	}
	in := append([]byte("\n"), line...)
	got, err := readAll(in)
	if err != nil || len(got) != 1 || got[0] != e {
		t.Fatalf("line of exactly MaxLineSize bytes: %d events, %v", len(got), err)
	}
	if got, err := readAll(in[:len(in)-1]); err != nil || len(got) != 1 {
		t.Fatalf("same without final newline: %d events, %v", len(got), err)
	}

	e.Note += "x"
	in = append([]byte("\n"), writeAll(t, []Event{e})...)
	_, err = readAll(in)
	var le *LineError
	if !errors.As(err, &le) || le.Line != 2 || !strings.Contains(err.Error(), "longer than") {
		t.Fatalf("line of MaxLineSize+1 bytes: %v", err)
	}
}

func TestReadJSONCallbackError(t *testing.T) {
	stop := errors.New("stop here")
	data := writeAll(t, []Event{fullEvent(Spawned), fullEvent(Queued)})
	n := 0
	err := ReadJSON(bytes.NewReader(data), func(Event) error {
		n++
		return stop
	})
	if err != stop || n != 1 {
		t.Fatalf("ReadJSON = %v after %d calls, want the callback's error after 1", err, n)
	}
}

// failingReader returns its data, then err.
type failingReader struct {
	data []byte
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestJSONReaderReadError(t *testing.T) {
	broken := errors.New("disk on fire")
	data := writeAll(t, []Event{fullEvent(Spawned)})
	evs, err := readAll(nil)
	if err != nil || evs != nil {
		t.Fatalf("empty input: %v, %v", evs, err)
	}
	var got []Event
	err = ReadJSON(&failingReader{data: data, err: broken}, func(e Event) error {
		got = append(got, e)
		return nil
	})
	if !errors.Is(err, broken) || len(got) != 1 || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("ReadJSON = %v with %d events; want %v after 1 event", err, len(got), broken)
	}
}

// failingWriter accepts n writes, then fails.
type failingWriter struct {
	n      int
	writes int
}

func (w *failingWriter) Write(p []byte) (int, error) {
	w.writes++
	if w.writes > w.n {
		return 0, errors.New("pipe closed")
	}
	return len(p), nil
}

func TestJSONWriterErrors(t *testing.T) {
	fw := &failingWriter{n: 1}
	w := NewJSONWriter(fw)
	e := fullEvent(Spawned)
	w.Event(&e)
	if err := w.Err(); err != nil {
		t.Fatalf("after a good write: %v", err)
	}
	w.Event(&e)
	err := w.Err()
	if err == nil || !strings.Contains(err.Error(), "pipe closed") {
		t.Fatalf("after a failed write: %v", err)
	}
	w.Event(&e)
	if fw.writes != 2 {
		t.Fatalf("JSONWriter kept writing after an error: %d writes", fw.writes)
	}
	if w.Flush() != err || w.Err() != err {
		t.Fatal("first error not kept")
	}

	// An event that cannot be encoded is skipped; later ones are written.
	var buf bytes.Buffer
	w = NewJSONWriter(&buf)
	bad := Event{Seq: 9, Kind: KindInvalid}
	w.Event(&bad)
	badBy := Event{Seq: 10, Kind: Woken, By: Source(200)}
	w.Event(&badBy)
	good := fullEvent(Completed)
	w.Event(&good)
	if err := w.Err(); err == nil || !strings.Contains(err.Error(), "#9") {
		t.Fatalf("invalid kind: Err() = %v", err)
	}
	if got, err := readAll(buf.Bytes()); err != nil || len(got) != 1 || got[0] != good {
		t.Fatalf("after a bad event: %v, %v", got, err)
	}
}

func TestJSONWriterFlush(t *testing.T) {
	var out bytes.Buffer
	bw := bufio.NewWriter(&out)
	w := NewJSONWriter(bw)
	e := fullEvent(Woken)
	w.Event(&e)
	if out.Len() != 0 {
		t.Fatal("bufio.Writer flushed early; test assumption broken")
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if got, err := readAll(out.Bytes()); err != nil || len(got) != 1 || got[0] != e {
		t.Fatalf("after Flush: %v, %v", got, err)
	}
	// Flush on a writer without Flush is a no-op.
	if err := NewJSONWriter(io.Discard).Flush(); err != nil {
		t.Fatal(err)
	}
}

func TestJSONWriterConcurrent(t *testing.T) {
	const emitters, perEmit = 8, 200
	var buf bytes.Buffer // written only under the JSONWriter's lock
	w := NewJSONWriter(&buf)
	var wg sync.WaitGroup
	for g := range emitters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perEmit {
				e := fullEvent(Kinds()[i%len(Kinds())])
				e.Exec = uint32(g + 1)
				e.Seq = uint64(i + 1)
				w.Event(&e)
			}
		}()
	}
	wg.Wait()
	got, err := readAll(buf.Bytes())
	if err != nil || w.Err() != nil {
		t.Fatalf("%v / %v", err, w.Err())
	}
	if len(got) != emitters*perEmit {
		t.Fatalf("read %d events, want %d", len(got), emitters*perEmit)
	}
	last := map[uint32]uint64{}
	for _, e := range got {
		if e.Seq != last[e.Exec]+1 {
			t.Fatalf("exec %d: #%d after #%d", e.Exec, e.Seq, last[e.Exec])
		}
		last[e.Exec] = e.Seq
	}
}

// FuzzReadJSON feeds ReadJSON arbitrary input. It must never panic, every
// error must be a *LineError (the input is in memory, so there are no read
// errors), and every event it accepts must survive being written and read
// again unchanged.
func FuzzReadJSON(f *testing.F) {
	var all []Event
	for _, k := range Kinds() {
		e := fullEvent(k)
		all = append(all, e)
		f.Add(writeAll(f, []Event{e}))
	}
	f.Add(writeAll(f, all))
	for _, s := range []string{
		"",
		"\n\n",
		"garbage",
		"{}",
		"null",
		"[]",
		`{"kind":"parked"}` + "\r\n" + `{"kind":"nope"}`,
		`{"seq":18446744073709551615,"t":-9223372036854775808,"exec":4294967295,"task":18446744073709551615,"kind":"woken","by":"task","from":18446744073709551615,"queue":9223372036854775807}`,
		`{"seq":18446744073709551616,"kind":"parked"}`,
		`{"seq":1e999,"kind":"parked"}`,
		`{"queue":-9223372036854775809,"kind":"queued"}`,
		`{"t":123456789012345678901234567890,"kind":"parked"}`,
		`{"kind":"spawned","name":"\ud800 \u0000 \u2028 <>&"}`,
		"{\"kind\":\"spawned\",\"name\":\"\xff\xfe raw bytes\"}",
		`{"KIND":"parked","Seq":3,"seq":4}`,
		`{"kind":"parked","kind":null}`,
		`{"kind":"parked","extra":{"nested":[1,2,{"x":null}]}}`,
		`{"kind":"poll-ended","ready":null,"by":""}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := readAll(data)
		if err != nil {
			var le *LineError
			if !errors.As(err, &le) || le.Line < 1 {
				t.Fatalf("error without a line number: %v", err)
			}
		}
		for _, e := range got {
			if !e.Kind.Valid() {
				t.Fatalf("accepted an invalid kind: %#v", e)
			}
			var buf bytes.Buffer
			w := NewJSONWriter(&buf)
			w.Event(&e)
			if err := w.Err(); err != nil {
				t.Fatalf("cannot re-encode accepted event %#v: %v", e, err)
			}
			if buf.Len()-1 > MaxLineSize {
				continue // escaping made it too long to read back
			}
			again, err := readAll(buf.Bytes())
			if err != nil || len(again) != 1 || again[0] != e {
				t.Fatalf("round trip of %#v\nvia %s\ngave %v, %v", e, buf.Bytes(), again, err)
			}
		}
	})
}

func BenchmarkJSONWriter(b *testing.B) {
	w := NewJSONWriter(io.Discard)
	e := fullEvent(Woken)
	b.ReportAllocs()
	for b.Loop() {
		w.Event(&e)
	}
}

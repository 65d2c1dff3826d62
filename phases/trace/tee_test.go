package trace

import (
	"slices"
	"testing"
)

func TestTee(t *testing.T) {
	if s := Tee(); s != nil {
		t.Fatalf("Tee() = %v, want nil", s)
	}
	if s := Tee(nil, nil); s != nil {
		t.Fatalf("Tee(nil, nil) = %v, want nil", s)
	}
	r := NewRecorder(4)
	if s := Tee(nil, r, nil); s != Sink(r) {
		t.Fatalf("Tee(nil, r, nil) = %v, want r itself", s)
	}

	var order []string
	named := func(name string) Sink {
		return SinkFunc(func(e *Event) { order = append(order, name) })
	}
	s := Tee(named("a"), nil, Tee(named("b"), named("c")), r)
	if n := len(s.(tee)); n != 4 {
		t.Fatalf("nested Tee not flattened: %d sinks", n)
	}
	e := Event{Seq: 1, Kind: Spawned}
	s.Event(&e)
	if !slices.Equal(order, []string{"a", "b", "c"}) || r.Len() != 1 {
		t.Fatalf("order %v, recorder len %d", order, r.Len())
	}
}

func TestTeeNoAlloc(t *testing.T) {
	s := Tee(NewRecorder(4), NewRecorder(4))
	e := Event{Seq: 1, Kind: Spawned}
	if n := testing.AllocsPerRun(100, func() { s.Event(&e) }); n != 0 {
		t.Fatalf("Tee allocates %v times per event", n)
	}
}

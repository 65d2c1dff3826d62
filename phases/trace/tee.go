package trace

// Tee returns a Sink that hands each event to every one of sinks, in order,
// on the emitting goroutine. Nil sinks are skipped; Tee returns nil when no
// sink remains (so a runtime given the result keeps its untraced fast
// path) and the sink itself when exactly one remains. Sinks that are
// themselves the result of Tee are flattened.
//
// Only nil interface values are skipped: a typed nil pointer, such as a
// (*Recorder)(nil) stored in a Sink, is kept and will be called.
//
// Every sink receives the same *Event, so a sink that modified the event
// (which no sink should) would change what the later ones see. A sink that
// blocks (a Stepper) holds up the sinks after it; put observers before it.
//
// The returned Sink is safe for concurrent use if every one of sinks is.
func Tee(sinks ...Sink) Sink {
	var t tee
	for _, s := range sinks {
		switch s := s.(type) {
		case nil:
		case tee:
			t = append(t, s...)
		default:
			t = append(t, s)
		}
	}
	switch len(t) {
	case 0:
		return nil
	case 1:
		return t[0]
	}
	return t
}

// tee is the Sink Tee returns for two sinks or more. It never holds nils
// and is never modified after Tee builds it.
type tee []Sink

// Event hands e to every sink in order.
func (t tee) Event(e *Event) {
	for _, s := range t {
		s.Event(e)
	}
}

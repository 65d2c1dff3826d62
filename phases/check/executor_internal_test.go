package check

import (
	"reflect"
	"testing"
)

// TestFindNotStartedThroughUnexportedFields: a learner's result struct may
// hide the error in an unexported field; looking must find it, not panic.
func TestFindNotStartedThroughUnexportedFields(t *testing.T) {
	type hidden struct{ err error }
	want := &NotStartedError{Func: "F"}
	if got := findNotStarted(reflect.ValueOf(hidden{err: want}), 0); got != want {
		t.Fatalf("findNotStarted = %v, want %v", got, want)
	}
}

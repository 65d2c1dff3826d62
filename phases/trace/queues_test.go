package trace

import (
	"slices"
	"testing"
)

func TestQueuesRoundTripThroughTheirEncoding(t *testing.T) {
	qs := []QueuePos{{Name: "web", Vruntime: 12345, Shares: 1000, Ready: 3, Latency: 1000000}, {Name: "batch job;x", Vruntime: 0, Shares: 1, Ready: 0}}
	got, err := DecodeQueues(EncodeQueues(qs))
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(qs)
	want[1].Name = "batch_job_x"
	if !slices.Equal(got, want) {
		t.Fatalf("round trip = %+v, want %+v", got, want)
	}
	for _, bad := range []string{"web 1 2", "web x 2 3 4", "a 1 2 3 4;b"} {
		if _, err := DecodeQueues(bad); err == nil {
			t.Errorf("DecodeQueues(%q) = nil error, want one", bad)
		}
	}
}

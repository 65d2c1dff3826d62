package trace

import (
	"fmt"
	"strconv"
	"strings"
)

// EncodeQueues packs task queues into Event.Queues: one
// "name vruntime shares ready latency" group per queue, groups separated
// by ";". Names must not contain ';' or ' ' (the scheduler's are
// sanitised with QueueName).
func EncodeQueues(qs []QueuePos) string {
	var b strings.Builder
	for i, q := range qs {
		if i > 0 {
			b.WriteByte(';')
		}
		fmt.Fprintf(&b, "%s %d %d %d %d", QueueName(q.Name), q.Vruntime, q.Shares, q.Ready, q.Latency)
	}
	return b.String()
}

// QueueName makes a queue name safe for EncodeQueues.
func QueueName(name string) string {
	if name == "" {
		return "_"
	}
	return strings.NewReplacer(" ", "_", ";", "_").Replace(name)
}

// DecodeQueues unpacks Event.Queues; a malformed string is an error.
func DecodeQueues(s string) ([]QueuePos, error) {
	if s == "" {
		return nil, nil
	}
	var out []QueuePos
	for _, g := range strings.Split(s, ";") {
		f := strings.Fields(g)
		if len(f) != 5 {
			return nil, fmt.Errorf("trace: queue %q: want 5 fields", g)
		}
		vr, err1 := strconv.ParseUint(f[1], 10, 64)
		sh, err2 := strconv.Atoi(f[2])
		rd, err3 := strconv.Atoi(f[3])
		lat, err4 := strconv.ParseInt(f[4], 10, 64)
		for _, err := range []error{err1, err2, err3, err4} {
			if err != nil {
				return nil, fmt.Errorf("trace: queue %q: %w", g, err)
			}
		}
		out = append(out, QueuePos{Name: f[0], Vruntime: vr, Shares: sh, Ready: rd, Latency: lat})
	}
	return out, nil
}

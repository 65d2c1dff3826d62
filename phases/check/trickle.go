package check

// Trickle is how a fake kernel posts completions: not all at once, as a
// real ring under light load seems to, but one at a time, a few at a
// time, or none at all on some turns. A reaper that assumes the ring was
// filled in one go (reads the tail once, or stops at the first empty
// look) shows itself.
//
// Next(avail) says how many of avail waiting completions to post now;
// the pattern repeats. A zero in the pattern posts nothing that turn: a
// wake with nothing to reap. The zero value posts everything at once.
// Not safe for concurrent use: one fake kernel owns it.
type Trickle struct {
	Pattern []int
	i       int
}

// Trickles are the patterns every completion test should run through:
// all at once, one at a time, a few at a time, and stuttering (nothing,
// then one).
func Trickles() map[string]*Trickle {
	return map[string]*Trickle{
		"all at once":       {},
		"one at a time":     {Pattern: []int{1}},
		"a few at a time":   {Pattern: []int{3, 1, 2}},
		"nothing, then one": {Pattern: []int{0, 1}},
	}
}

// Next returns how many of avail waiting completions to post now (0 <=
// n <= avail).
func (t *Trickle) Next(avail int) int {
	if len(t.Pattern) == 0 || avail <= 0 {
		return max(avail, 0)
	}
	n := t.Pattern[t.i%len(t.Pattern)]
	t.i++
	return min(n, avail)
}

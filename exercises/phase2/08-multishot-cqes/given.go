package multishotcqes

// Everything in this file is given: CQEs, the user_data layout and the
// op table's Start. Your part is in complete.go.

// FlagMore is IORING_CQE_F_MORE: the multishot op that posted the CQE
// goes on, and will post more.
const FlagMore = 1 << 1

// CQE is a completion: the user_data of the request, its result (a byte
// count, a descriptor, or a negated errno) and flags.
type CQE struct {
	UserData uint64
	Res      int32
	Flags    uint32
}

// UserData is the user_data of the op in slot idx at generation gen: the
// generation in the high 32 bits, the index in the low 32.
func UserData(gen, idx uint32) uint64 { return uint64(gen)<<32 | uint64(idx) }

// Slot is one entry of the op table.
type Slot struct {
	Gen       uint32 // bumped each time the slot is taken
	InUse     bool   // an op is in flight here: its last CQE has not come
	Multishot bool   // the op may post many CQEs
	Got       []CQE  // the CQEs delivered to this op, in order
	Ended     bool   // the op's last CQE came
}

// Table is the op table: slots, and the free ones (the next Start takes
// the last freed: a busy connection reuses one slot again and again).
type Table struct {
	Slots []Slot
	Free  []uint32
}

// Start takes a slot for a new op and returns its user_data.
func (t *Table) Start(multishot bool) uint64 {
	var idx uint32
	if n := len(t.Free); n > 0 {
		idx = t.Free[n-1]
		t.Free = t.Free[:n-1]
	} else {
		t.Slots = append(t.Slots, Slot{})
		idx = uint32(len(t.Slots) - 1)
	}
	s := &t.Slots[idx]
	s.Gen++
	s.InUse, s.Multishot, s.Got, s.Ended = true, multishot, nil, false
	return UserData(s.Gen, idx)
}

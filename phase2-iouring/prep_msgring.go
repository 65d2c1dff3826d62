//go:build linux || darwin

package iouring

// SQECQESkipSuccess is IOSQE_CQE_SKIP_SUCCESS (5.17): no CQE for this SQE
// if it succeeds — only a failure posts one. A MSG_RING sent as a wakeup
// uses it: the sender has no use for its own "done".
const SQECQESkipSuccess = 1 << 6

// PrepMsgRing: IORING_OP_MSG_RING (5.18), io_uring_prep_msg_ring(3): posts
// a CQE with user_data ud and res res into the ring whose descriptor is
// ringFd — a wakeup from one ring's thread to another's without an
// eventfd: the target's waiting io_uring_enter returns with that CQE. The
// sender's own CQE says 0, or -EOVERFLOW if the target's CQ had no room
// (set SQECQESkipSuccess to get only failures). The msg_ring_flags stay 0:
// IORING_MSG_RING_CQE_SKIP is for passing descriptors, and a data message
// with it is refused with -EINVAL.
func (s *SQE) PrepMsgRing(ringFd int, res uint32, ud uint64) {
	s.Opcode, s.Fd = uint8(OpMsgRing), int32(ringFd)
	s.Addr = 0 // IORING_MSG_DATA: post a CQE (IORING_MSG_SEND_FD would pass a file)
	s.Len = res
	s.Off = ud
}

//go:build linux || darwin

package iouring

// SetRecvPollFirst makes the stream's single-shot RECVs carry
// IORING_RECVSEND_POLL_FIRST (5.19): the kernel arms its poll before
// trying the receive, instead of trying, failing with EAGAIN and then
// arming it. That saves the failed attempt when the socket is known to be
// empty — a request-response loop whose RECV goes out right after its
// SEND — and costs a poll round trip when data is already there.
// BenchmarkRecvPollFirst measures which it is here (see lesson
// p2-multishot). It returns false, and changes nothing, where the kernel
// is older than 5.19 (an ioprio on RECV is -EINVAL there). Multishot
// RECVs are armed once per stream and are not affected.
func (s *TCPStream) SetRecvPollFirst(on bool) bool {
	if on && !pollFirstOK(s.r) {
		return false
	}
	s.pollFirst = on
	return true
}

// Command echo-gnet is the event-loop library twin: gnet v2 with -loops
// event loops (default 1) and GOMAXPROCS equal to it.
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"runtime"

	"github.com/panjf2000/gnet/v2"
)

type echo struct {
	gnet.BuiltinEventEngine
}

func (*echo) OnTraffic(c gnet.Conn) gnet.Action {
	buf, _ := c.Next(-1)
	c.Write(buf)
	return gnet.None
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	loops := flag.Int("loops", 1, "event loops (and GOMAXPROCS)")
	flag.Parse()
	runtime.GOMAXPROCS(*loops)
	// gnet cannot report a port it picked: take a free one first.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bound := ln.Addr().String()
	ln.Close()
	fmt.Println(bound)
	err = gnet.Run(&echo{}, "tcp://"+bound, gnet.WithNumEventLoop(*loops), gnet.WithReusePort(true))
	fmt.Fprintln(os.Stderr, err)
}

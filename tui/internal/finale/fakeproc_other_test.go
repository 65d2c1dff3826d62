//go:build !unix

package finale

func fakeProcess() {}

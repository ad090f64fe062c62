// Command burn keeps one CPU busy until it is killed: the load of the "busy" condition.
// It runs at normal priority and makes no system calls while it spins.
package main

import (
	"fmt"
	"os"
	"runtime"
)

func main() {
	runtime.GOMAXPROCS(1)
	x := uint64(len(os.Args))
	for {
		x = x*6364136223846793005 + 1442695040888963407 // an LCG step: work the compiler keeps
		if x == 0 {
			fmt.Println(x) // never (the LCG has full period); keeps x live
		}
	}
}

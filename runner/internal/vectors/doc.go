// Package vectors holds no code: its test proves that robfig/cron v3, the parser and
// next-time rule of both the CronJob controller and the ticker, gives the fire times
// recorded in tests/vectors/schedule.json — the same file the operator's Python tests
// check schedule.py against.
//
// Regenerate the expected times (keeping each vector's count) with
//
//	go test ./internal/vectors/ -update
package vectors

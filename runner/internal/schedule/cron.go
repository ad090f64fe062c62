package schedule

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// ErrNeverFires is returned for a cron expression that parses but has no instant (Feb 30).
var ErrNeverFires = errors.New("can never fire")

// Cron parses a cron expression the way the executor does: five fields or a macro
// (@yearly … @hourly) with robfig/cron's standard parser, as the CronJob controller does;
// six fields with seconds first. zone is an IANA name (not "Local"); "" means UTC. `?` means `*`.
// Refused: a TZ=/CRON_TZ= prefix (use the zone argument), @every (use an interval) and
// expressions that never fire. DST follows robfig/cron: a wall time in a spring-forward gap
// is skipped, one in a fall-back repeat fires twice.
func Cron(expr, zone string) (Slots, error) {
	expr = strings.TrimSpace(expr)
	if expr == "" {
		return nil, errors.New("schedule is empty")
	}
	if strings.HasPrefix(expr, "TZ=") || strings.HasPrefix(expr, "CRON_TZ=") {
		return nil, fmt.Errorf("schedule %q: time-zone prefix not allowed, use the time zone setting", expr)
	}
	if strings.HasPrefix(expr, "@every") {
		return nil, fmt.Errorf("schedule %q: @every not allowed, use an interval", expr)
	}
	if zone == "" {
		zone = "UTC"
	}
	if strings.EqualFold(zone, "Local") { // Go maps it to the machine's zone: not portable
		return nil, fmt.Errorf("time zone %q: unknown time zone (use an IANA name such as Europe/Berlin)", zone)
	}
	if _, err := time.LoadLocation(zone); err != nil {
		return nil, fmt.Errorf("time zone %q: unknown time zone: %w", zone, err)
	}
	parse := cron.ParseStandard
	if !strings.HasPrefix(expr, "@") && len(strings.Fields(expr)) == 6 {
		parse = cron.NewParser(cron.Second | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor).Parse
	}
	// The zone goes in as robfig's own prefix, as the CronJob controller hands it over.
	spec, err := parse("CRON_TZ=" + zone + " " + expr)
	if err != nil {
		return nil, fmt.Errorf("schedule %q: %w", expr, err)
	}
	// robfig searches five years ahead, which covers every leap day: no instant from the
	// epoch on means none ever.
	if spec.Next(time.Unix(0, 0)).IsZero() {
		return nil, fmt.Errorf("schedule %q: %w", expr, ErrNeverFires)
	}
	return spec, nil
}

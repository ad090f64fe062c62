package lease

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Lease is a Lease object as the API returned it. Update writes back the whole object with
// the fields below changed, so what the runner does not know (ownerReferences, labels,
// newer spec fields) is kept, and resourceVersion makes the write conditional.
type Lease struct {
	obj map[string]any // the object as read

	ResourceVersion string
	Annotations     map[string]string
	Holder          string        // spec.holderIdentity; "" when free
	Duration        time.Duration // spec.leaseDurationSeconds
	AcquireTime     time.Time     // spec.acquireTime
	RenewTime       time.Time     // spec.renewTime
	Transitions     int           // spec.leaseTransitions
}

// microTime is the API's MicroTime format.
const microTime = "2006-01-02T15:04:05.000000Z07:00"

type wire struct {
	Metadata struct {
		ResourceVersion string            `json:"resourceVersion"`
		Annotations     map[string]string `json:"annotations"`
	} `json:"metadata"`
	Spec struct {
		HolderIdentity       *string `json:"holderIdentity"`
		LeaseDurationSeconds *int    `json:"leaseDurationSeconds"`
		AcquireTime          *string `json:"acquireTime"`
		RenewTime            *string `json:"renewTime"`
		LeaseTransitions     *int    `json:"leaseTransitions"`
	} `json:"spec"`
}

func decode(b []byte) (*Lease, error) {
	var w wire
	if err := json.Unmarshal(b, &w); err != nil {
		return nil, fmt.Errorf("lease: %w", err)
	}
	l := &Lease{ResourceVersion: w.Metadata.ResourceVersion, Annotations: w.Metadata.Annotations}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // numbers written back exactly as read
	if err := dec.Decode(&l.obj); err != nil {
		return nil, fmt.Errorf("lease: %w", err)
	}
	if l.Annotations == nil {
		l.Annotations = map[string]string{}
	}
	s := w.Spec
	if s.HolderIdentity != nil {
		l.Holder = *s.HolderIdentity
	}
	if s.LeaseDurationSeconds != nil {
		l.Duration = time.Duration(*s.LeaseDurationSeconds) * time.Second
	}
	if s.LeaseTransitions != nil {
		l.Transitions = *s.LeaseTransitions
	}
	var err error
	if l.AcquireTime, err = parseTime(s.AcquireTime); err != nil {
		return nil, fmt.Errorf("lease spec.acquireTime: %w", err)
	}
	if l.RenewTime, err = parseTime(s.RenewTime); err != nil {
		return nil, fmt.Errorf("lease spec.renewTime: %w", err)
	}
	return l, nil
}

func parseTime(s *string) (time.Time, error) {
	if s == nil || *s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, *s)
}

// encode returns the object with the typed fields written into it.
func (l *Lease) encode() ([]byte, error) {
	meta := child(l.obj, "metadata")
	meta["resourceVersion"] = l.ResourceVersion
	meta["annotations"] = l.Annotations
	spec := child(l.obj, "spec")
	spec["holderIdentity"] = l.Holder
	spec["leaseDurationSeconds"] = int(l.Duration / time.Second)
	spec["leaseTransitions"] = l.Transitions
	for key, t := range map[string]time.Time{"acquireTime": l.AcquireTime, "renewTime": l.RenewTime} {
		if t.IsZero() {
			delete(spec, key)
		} else {
			spec[key] = t.UTC().Format(microTime)
		}
	}
	b, err := json.Marshal(l.obj)
	if err != nil {
		return nil, fmt.Errorf("lease: %w", err)
	}
	return b, nil
}

// child returns m[key] as an object, creating it when missing.
func child(m map[string]any, key string) map[string]any {
	if c, ok := m[key].(map[string]any); ok {
		return c
	}
	c := map[string]any{}
	m[key] = c
	return c
}

// clone returns a copy that can be changed without touching l (the object is shared until
// encoded; encode writes only into the copy's own maps).
func (l *Lease) clone() *Lease {
	c := *l
	c.obj = map[string]any{}
	for k, v := range l.obj {
		c.obj[k] = v
	}
	for _, key := range []string{"metadata", "spec"} {
		if m, ok := l.obj[key].(map[string]any); ok {
			cm := make(map[string]any, len(m))
			for k, v := range m {
				cm[k] = v
			}
			c.obj[key] = cm
		}
	}
	c.Annotations = make(map[string]string, len(l.Annotations))
	for k, v := range l.Annotations {
		c.Annotations[k] = v
	}
	return &c
}

package lease

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

func TestDecodeEncodeKeepsWhatItDoesNotKnow(t *testing.T) {
	in := `{"apiVersion":"coordination.k8s.io/v1","kind":"Lease",
		"metadata":{"name":"demo","resourceVersion":"42","generation":9007199254740993,"labels":{"a":"b"},
			"ownerReferences":[{"kind":"PeriodicTask","name":"demo","uid":"u"}]},
		"spec":{"holderIdentity":"pod-a_1","leaseDurationSeconds":15,"leaseTransitions":4,
			"acquireTime":"2024-07-01T00:00:00.000000Z","renewTime":"2024-07-01T00:00:10.500000Z","strategy":"OldestEmulationVersion"}}`
	l, err := decode([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if l.Holder != "pod-a_1" || l.Duration != 15*time.Second || l.Transitions != 4 || l.ResourceVersion != "42" ||
		!l.RenewTime.Equal(time.Date(2024, 7, 1, 0, 0, 10, 500_000_000, time.UTC)) || l.Annotations == nil {
		t.Fatalf("decoded %+v", l)
	}
	w := l.clone()
	w.Holder, w.Annotations["periodic.dev/last-result"] = "", "success"
	b, err := w.encode()
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		t.Fatal(err)
	}
	meta, spec := out["metadata"].(map[string]any), out["spec"].(map[string]any)
	if meta["generation"].(json.Number).String() != "9007199254740993" || meta["labels"] == nil || meta["ownerReferences"] == nil ||
		spec["strategy"] != "OldestEmulationVersion" || spec["holderIdentity"] != "" ||
		spec["renewTime"] != "2024-07-01T00:00:10.500000Z" || meta["annotations"].(map[string]any)["periodic.dev/last-result"] != "success" {
		t.Fatalf("encoded %s", b)
	}
	if l.Holder != "pod-a_1" || len(l.Annotations) != 0 {
		t.Fatalf("clone shared state with the original: %+v", l)
	}
	if again, _ := l.encode(); string(again) == string(b) {
		t.Fatal("encoding the clone changed the original's object")
	}
}

func TestDecodeRefusesBadTimes(t *testing.T) {
	if _, err := decode([]byte(`{"spec":{"renewTime":"yesterday"}}`)); err == nil {
		t.Fatal("bad renewTime accepted")
	}
	if _, err := decode([]byte(`{`)); err == nil {
		t.Fatal("bad JSON accepted")
	}
}

// crdcheck validates a CRD offline with the API server's own code, and custom resources
// against it: what `kubectl apply` of the CRD and of the objects would say, without a
// cluster.
//
//	crdcheck CRD.yaml [OBJECT.yaml ...]
//
// The CRD gets the checks of a create (structural schema, CEL compilation and cost
// estimation, defaults valid against their schema). Each object is then pruned,
// defaulted, validated against the OpenAPI schema and its CEL rules, as a create would.
// Prints one JSON line per input: {"file": ..., "errors": [...]}. Exit 0 when everything
// was checked (errors or not), 1 on a CRD error, 2 on bad usage or unreadable input.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/install"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"sigs.k8s.io/yaml"
)

type result struct {
	File   string   `json:"file"`
	Errors []string `json:"errors"`
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: crdcheck CRD.yaml [OBJECT.yaml ...]")
		os.Exit(2)
	}
	crd, err := loadCRD(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx := context.Background()
	errs := validation.ValidateCustomResourceDefinition(ctx, crd)
	emit(os.Args[1], errs)
	if len(errs) > 0 {
		os.Exit(1)
	}
	// The internal type hoists a schema shared by all versions to spec.validation.
	var schema *apiextensions.JSONSchemaProps
	if crd.Spec.Validation != nil {
		schema = crd.Spec.Validation.OpenAPIV3Schema
	} else if v := crd.Spec.Versions[0]; v.Schema != nil {
		schema = v.Schema.OpenAPIV3Schema
	}
	if schema == nil {
		fmt.Fprintln(os.Stderr, "the CRD has no schema")
		os.Exit(1)
	}
	structural, err := structuralschema.NewStructural(schema)
	if err != nil {
		fmt.Fprintln(os.Stderr, "structural schema:", err)
		os.Exit(1)
	}
	validator, _, err := apiservervalidation.NewSchemaValidator(schema)
	if err != nil {
		fmt.Fprintln(os.Stderr, "schema validator:", err)
		os.Exit(1)
	}
	celValidator := cel.NewValidator(structural, true, celconfig.PerCallLimit)
	for _, path := range os.Args[2:] {
		obj, err := loadObject(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		pruning.Prune(obj, structural, true)
		structuraldefaulting.Default(obj, structural)
		errs := apiservervalidation.ValidateCustomResource(nil, obj, validator)
		if celValidator != nil {
			celErrs, _ := celValidator.Validate(ctx, nil, structural, obj, nil, celconfig.RuntimeCELCostBudget)
			errs = append(errs, celErrs...)
		}
		emit(path, errs)
	}
}

func loadCRD(path string) (*apiextensions.CustomResourceDefinition, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	var v1crd apiextensionsv1.CustomResourceDefinition
	if err := yaml.UnmarshalStrict(data, &v1crd); err != nil {
		return nil, fmt.Errorf("decode %s: %w", path, err)
	}
	scheme := runtime.NewScheme()
	install.Install(scheme)
	scheme.Default(&v1crd)
	var crd apiextensions.CustomResourceDefinition
	if err := scheme.Convert(&v1crd, &crd, nil); err != nil {
		return nil, fmt.Errorf("convert %s: %w", path, err)
	}
	return &crd, nil
}

func loadObject(path string) (map[string]interface{}, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	var obj map[string]interface{}
	if err := yaml.Unmarshal(data, &obj); err != nil {
		return nil, fmt.Errorf("decode %s: %w", path, err)
	}
	return obj, nil
}

func emit(path string, errs field.ErrorList) {
	r := result{File: path, Errors: []string{}}
	for _, e := range errs {
		r.Errors = append(r.Errors, e.Error())
	}
	line, _ := json.Marshal(r)
	fmt.Println(string(line))
}

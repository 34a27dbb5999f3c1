// Command gotemplate renders a function-go-templating template the way the function does:
// Go's text/template with sprig (less env and expandenv) and the function's own extras, executed
// on the RunFunctionRequest as a map (protojson, then JSON numbers as int64 where whole).
//
// Usage: gotemplate TEMPLATE_FILE REQUEST_JSON_FILE; the rendered text goes to stdout.
// The extras are written after crossplane-contrib/function-go-templating function_maps.go
// (commit 9222efc); only those the tests' templates may use are registered, so a template that
// uses another fails to parse here, loudly.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
)

const recursionMaxNums = 1000

func setResourceNameAnnotation(name string) string {
	return fmt.Sprintf("gotemplating.fn.crossplane.io/composition-resource-name: %s", name)
}

func initInclude(t *template.Template) func(string, any) (string, error) {
	includedNames := make(map[string]int)
	return func(name string, data any) (string, error) {
		var buf strings.Builder
		if v, ok := includedNames[name]; ok {
			if v > recursionMaxNums {
				return "", fmt.Errorf("rendering template has a nested reference name: %s: unable to execute template", name)
			}
			includedNames[name]++
		} else {
			includedNames[name] = 1
		}
		err := t.ExecuteTemplate(&buf, name, data)
		includedNames[name]--
		return buf.String(), err
	}
}

// lookup walks string keys as fieldpath.Pave(...).GetValueInto does for a path of plain fields.
func lookup(value any, keys ...string) (any, bool) {
	for _, key := range keys {
		m, ok := value.(map[string]any)
		if !ok {
			return nil, false
		}
		if value, ok = m[key]; !ok {
			return nil, false
		}
	}
	return value, true
}

// getComposedResource is the function's "observed.resources[<name>]resource" lookup.
func getComposedResource(req map[string]any, name string) map[string]any {
	value, ok := lookup(req, "observed", "resources", name, "resource")
	if !ok {
		return nil
	}
	cr, _ := value.(map[string]any)
	return cr
}

// getCompositeResource is the function's "observed.composite.resource" lookup.
func getCompositeResource(req map[string]any) map[string]any {
	value, ok := lookup(req, "observed", "composite", "resource")
	if !ok {
		return nil
	}
	cr, _ := value.(map[string]any)
	return cr
}

func newTemplate() *template.Template {
	tpl := template.New("manifests")
	tpl.Funcs(template.FuncMap{
		"setResourceNameAnnotation": setResourceNameAnnotation,
		"getComposedResource":       getComposedResource,
		"getCompositeResource":      getCompositeResource,
	})
	tpl.Funcs(template.FuncMap{"include": initInclude(tpl)})
	funcs := sprig.FuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	tpl.Funcs(funcs)
	return tpl
}

// numbers converts json.Number as k8s.io/apimachinery/pkg/util/json.Unmarshal does: int64 when
// the number is whole and fits, float64 otherwise.
func numbers(value any) any {
	switch v := value.(type) {
	case map[string]any:
		for key, item := range v {
			v[key] = numbers(item)
		}
	case []any:
		for i, item := range v {
			v[i] = numbers(item)
		}
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i
		}
		f, _ := v.Float64()
		return f
	}
	return value
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: gotemplate TEMPLATE_FILE REQUEST_JSON_FILE")
		os.Exit(2)
	}
	text, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	raw, err := os.ReadFile(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	decoder := json.NewDecoder(bytes.NewReader(raw))
	decoder.UseNumber()
	var req map[string]any
	if err := decoder.Decode(&req); err != nil {
		fmt.Fprintln(os.Stderr, "cannot decode the request:", err)
		os.Exit(2)
	}
	req = numbers(req).(map[string]any)
	tmpl, err := newTemplate().Parse(string(text))
	if err != nil {
		fmt.Fprintln(os.Stderr, "invalid function input: cannot parse the provided templates:", err)
		os.Exit(1)
	}
	var out bytes.Buffer
	if err := tmpl.Execute(&out, req); err != nil {
		fmt.Fprintln(os.Stderr, "cannot execute template:", err)
		os.Exit(1)
	}
	os.Stdout.Write(out.Bytes())
}

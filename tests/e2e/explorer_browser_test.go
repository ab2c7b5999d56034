package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"
)

// chromiumPath finds Debian's chromium ($CHROMIUM_BINARY first). Without
// it the browser tests skip, except in CI (POCD_CI set), where they fail:
// .ci/run installs it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM_BINARY"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "the explorer's browser test needs headless Chromium: apt-get install -y chromium (or set CHROMIUM_BINARY)"
	if os.Getenv("POCD_CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// browser is one headless Chromium tab. Uncaught page exceptions are
// collected: a page that throws is a failure even if it looks right.
type browser struct {
	t          *testing.T
	ctx        context.Context
	close      func() // stops the browser (also at the test's end)
	mu         sync.Mutex
	exceptions []string
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	b := &browser{t: t}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox, // tests run as root in CI
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.WindowSize(1280, 1000),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx, chromedp.WithListener(func(ev any) {
		if e, ok := ev.(*runtime.EventExceptionThrown); ok {
			msg := e.ExceptionDetails.Text
			if e.ExceptionDetails.Exception != nil {
				msg += " " + e.ExceptionDetails.Exception.Description
			}
			b.mu.Lock()
			b.exceptions = append(b.exceptions, msg)
			b.mu.Unlock()
		}
	}))
	b.close = func() { cancelC(); cancelA() }
	t.Cleanup(b.close)
	b.ctx = ctx
	require.NoError(t, chromedp.Do(ctx), "start chromium")
	return b
}

// run runs actions with a timeout.
func (b *browser) run(timeout time.Duration, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, timeout)
	defer cancel()
	require.NoError(b.t, chromedp.Do(ctx, actions...))
}

// eval evaluates a JavaScript expression and decodes its JSON value into out.
func (b *browser) eval(js string, out any) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](js))
	require.NoError(b.t, err, js)
	require.NoError(b.t, json.Unmarshal(raw, out), "%s gave %s", js, raw)
}

// waitJS polls until a JavaScript expression is true.
func (b *browser) waitJS(js string, timeout time.Duration, what string) {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+js+")"))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
			text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText.slice(0, 2000) : ""`))
			cancel()
			b.t.Fatalf("%s: %s not true within %s (err %v); page says:\n%s", what, js, timeout, err, text)
		}
		time.Sleep(150 * time.Millisecond)
	}
}

// screenshot saves a full-page PNG into $POCD_EXPLORER_SHOTS, by default
// docs/explorer (docs/explorer.md shows them).
func (b *browser) screenshot(name string) {
	b.t.Helper()
	dir := os.Getenv("POCD_EXPLORER_SHOTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "docs", "explorer")
	}
	require.NoError(b.t, os.MkdirAll(dir, 0o755))
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(b.t, err)
	path := filepath.Join(dir, name+".png")
	require.NoError(b.t, os.WriteFile(path, png, 0o644))
	b.t.Logf("screenshot %s (%d bytes)", path, len(png))
}

func (b *browser) requireNoExceptions() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	require.Empty(b.t, b.exceptions, "uncaught exceptions in the page")
}

// search types q into the search box as a person would and presses Enter.
func (b *browser) search(q string) {
	b.t.Helper()
	b.run(30*time.Second,
		chromedp.WaitVisible(chromedp.ID("search")),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("search").value = ""`),
		chromedp.SendKeys(chromedp.ID("search"), q+kb.Enter),
	)
}

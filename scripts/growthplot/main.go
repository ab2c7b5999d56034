// growthplot draws BenchmarkGrowth's figures (app/growth_bench_test.go,
// written with GROWTH_OUT) as two log-log plots for docs/benchmarks.md:
// the costs of one block, which must stay flat as hotspots grow, and the
// costs over the whole state, which may grow linearly. Its own module, so
// the node's module graph does not carry a plotting library.
//
//	cd scripts/growthplot && go run . -in ../../build/growth.json -out ../../docs/growth
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"image/color"
	"os"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

type point struct {
	Hotspots        int     `json:"hotspots"`
	HexWorstMs      float64 `json:"hex_worst_block_ms"`
	NormalRelayMs   float64 `json:"normal_relay_block_ms"`
	NormalCloseMs   float64 `json:"normal_close_block_ms"`
	SettleMs        float64 `json:"settle_block_ms"`
	PayoutWorstMs   float64 `json:"payout_worst_block_ms"`
	GenesisExportMs float64 `json:"genesis_export_ms"`
	GenesisImportMs float64 `json:"genesis_import_ms"`
	PayoutBlocks    int     `json:"payout_blocks"`
	HexWalkBlocks   int     `json:"hex_walk_blocks"`
	HexRollup       int     `json:"hex_rollup_blocks"`
	HexClear        int     `json:"hex_clear_blocks"`
}

type series struct {
	name string
	y    func(point) float64
}

func main() {
	in := flag.String("in", "build/growth.json", "BenchmarkGrowth's JSON (GROWTH_OUT)")
	out := flag.String("out", "docs/growth", "output prefix: <out>-per-block.png and <out>-whole.png")
	normal := flag.Float64("normal-block-ms", 0, "a normal block's execution time, drawn as the 2x line on the per-block plot (0: twice each size's measured normal block)")
	flag.Parse()
	bz, err := os.ReadFile(*in)
	if err != nil {
		fail(err)
	}
	var pts []point
	if err := json.Unmarshal(bz, &pts); err != nil {
		fail(err)
	}
	perBlock := []series{
		{"hex rebuild, worst block", func(p point) float64 { return p.HexWorstMs }},
		{"settlement block", func(p point) float64 { return p.SettleMs }},
		{"payout, worst block", func(p point) float64 { return p.PayoutWorstMs }},
	}
	if *normal > 0 {
		perBlock = append(perBlock, series{"2 x a normal block", func(point) float64 { return 2 * *normal }})
	} else {
		perBlock = append(perBlock, series{"2 x a normal block (same state)", func(p point) float64 { return 2 * (p.NormalRelayMs + p.NormalCloseMs) }})
	}
	whole := []series{
		{"genesis export", func(p point) float64 { return p.GenesisExportMs }},
		{"genesis import", func(p point) float64 { return p.GenesisImportMs }},
		{"payout, blocks", func(p point) float64 { return float64(p.PayoutBlocks) }},
		{"hex rebuild, blocks", func(p point) float64 { return float64(p.HexWalkBlocks + p.HexRollup + p.HexClear) }},
	}
	if err := draw2(pts, perBlock, "One block's cost as hotspots grow", "ms", *out+"-per-block.png"); err != nil {
		fail(err)
	}
	if err := draw2(pts, whole, "Whole-state costs as hotspots grow", "ms, or blocks", *out+"-whole.png"); err != nil {
		fail(err)
	}
}

func draw2(pts []point, ss []series, title, ylabel, file string) error {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "hotspots"
	p.Y.Label.Text = ylabel
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.LogTicks{Prec: -1}, plot.LogTicks{Prec: -1}
	p.Legend.Top, p.Legend.Left = true, true
	p.Add(plotter.NewGrid())
	palette := []color.Color{
		color.RGBA{R: 31, G: 119, B: 180, A: 255}, color.RGBA{R: 255, G: 127, B: 14, A: 255},
		color.RGBA{R: 44, G: 160, B: 44, A: 255}, color.RGBA{R: 214, G: 39, B: 40, A: 255},
		color.RGBA{R: 120, G: 120, B: 120, A: 255},
	}
	for i, s := range ss {
		xy := make(plotter.XYs, 0, len(pts))
		for _, pt := range pts {
			if y := s.y(pt); y > 0 { // a log axis has no zero
				xy = append(xy, plotter.XY{X: float64(pt.Hotspots), Y: y})
			}
		}
		if len(xy) == 0 {
			continue
		}
		l, sc, err := plotter.NewLinePoints(xy)
		if err != nil {
			return err
		}
		l.Color, sc.Color = palette[i%len(palette)], palette[i%len(palette)]
		sc.Shape = draw.CircleGlyph{}
		if s.name == "2 x a normal block" {
			l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		}
		p.Add(l, sc)
		p.Legend.Add(s.name, l, sc)
	}
	return p.Save(7*vg.Inch, 4.5*vg.Inch, file)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "growthplot:", err)
	os.Exit(1)
}

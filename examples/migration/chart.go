package main

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// barSeries is one series of a bar chart: a value per x label.
type barSeries struct {
	Name   string
	Values []int
	Color  string
}

// barChart is a bar chart drawn as SVG on the server, so the report needs
// no script and nothing from another host. Series stack; every x label is
// drawn (rotated), so every bar is named.
type barChart struct {
	Title, Subtitle string
	Labels          []string
	Series          []barSeries
	// Mean, when set, draws a dashed horizontal line at that value.
	Mean *float64
}

// chart geometry, in SVG user units.
const (
	chartWidth   = 1100
	plotLeft     = 60
	plotRight    = 1010
	plotTop      = 90 // below the title, subtitle and legend
	plotHeight   = 300
	labelSpace   = 170 // room for rotated x labels
	chartPalette = "#5470c6 #91cc75 #fac858 #ee6666"
)

// SVG renders the chart as an inline <svg> element.
func (c barChart) SVG() template.HTML {
	var b strings.Builder
	height := plotTop + plotHeight + labelSpace
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`,
		chartWidth, height, chartWidth, height)
	fmt.Fprintf(&b, `<title>%s</title>`, template.HTMLEscapeString(c.Title))
	fmt.Fprintf(&b, `<text x="%d" y="22" font-size="18" font-weight="bold">%s</text>`, plotLeft, template.HTMLEscapeString(c.Title))
	fmt.Fprintf(&b, `<text x="%d" y="42" fill="#666">%s</text>`, plotLeft, template.HTMLEscapeString(c.Subtitle))
	c.legend(&b)
	top := c.maxTotal()
	c.axes(&b, top)
	c.bars(&b, top)
	if c.Mean != nil {
		y := c.y(*c.Mean, top)
		fmt.Fprintf(&b, `<line class="mean" x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#c23531" stroke-dasharray="6 4"/>`, plotLeft, plotRight, y, y)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" fill="#c23531">mean %.2f</text>`, plotRight+4, y+4, *c.Mean)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // every text is escaped above
}

// legend draws one swatch per series on its own line below the subtitle,
// inside the chart's own box: it cannot overlap another chart.
func (c barChart) legend(b *strings.Builder) {
	if len(c.Series) < 2 {
		return
	}
	x := plotLeft
	for _, s := range c.Series {
		fmt.Fprintf(b, `<rect x="%d" y="56" width="14" height="14" fill="%s"/>`, x, s.Color)
		fmt.Fprintf(b, `<text x="%d" y="68">%s</text>`, x+18, template.HTMLEscapeString(s.Name))
		x += 30 + 8*len(s.Name)
	}
}

// maxTotal is the highest stacked total, rounded up to a tidy axis top.
func (c barChart) maxTotal() float64 {
	top := 1.0
	for i := range c.Labels {
		t := 0
		for _, s := range c.Series {
			t += s.Values[i]
		}
		top = math.Max(top, float64(t))
	}
	if c.Mean != nil {
		top = math.Max(top, *c.Mean)
	}
	step := math.Pow(10, math.Floor(math.Log10(top)))
	return math.Ceil(top/step) * step
}

// y maps a value to its SVG y coordinate.
func (c barChart) y(v, top float64) float64 {
	return plotTop + plotHeight - v/top*plotHeight
}

// axes draws the y gridlines with their values and the rotated x labels.
func (c barChart) axes(b *strings.Builder, top float64) {
	for i := 0; i <= 5; i++ {
		v := top * float64(i) / 5
		y := c.y(v, top)
		fmt.Fprintf(b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>`, plotLeft, plotRight, y, y)
		fmt.Fprintf(b, `<text x="%d" y="%.1f" text-anchor="end">%g</text>`, plotLeft-6, y+4, v)
	}
	w := c.slot()
	for i, l := range c.Labels {
		x := float64(plotLeft) + w*(float64(i)+0.5)
		y := plotTop + plotHeight + 14
		fmt.Fprintf(b, `<text class="xlabel" x="%.1f" y="%d" text-anchor="end" transform="rotate(-40 %.1f %d)">%s</text>`,
			x, y, x, y, template.HTMLEscapeString(l))
	}
}

// slot is the width given to one x label.
func (c barChart) slot() float64 {
	return float64(plotRight-plotLeft) / math.Max(1, float64(len(c.Labels)))
}

// bars draws the stacked bars, each with a tooltip naming label, series and
// value.
func (c barChart) bars(b *strings.Builder, top float64) {
	w := c.slot()
	for i, l := range c.Labels {
		base := 0
		x := float64(plotLeft) + w*float64(i) + w*0.15
		for _, s := range c.Series {
			v := s.Values[i]
			y0, y1 := c.y(float64(base), top), c.y(float64(base+v), top)
			fmt.Fprintf(b, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s, %s: %d</title></rect>`,
				x, y1, w*0.7, y0-y1, s.Color, template.HTMLEscapeString(l), template.HTMLEscapeString(s.Name), v)
			base += v
		}
	}
}

// paletteColor is the i-th colour of the chart palette.
func paletteColor(i int) string {
	p := strings.Fields(chartPalette)
	return p[i%len(p)]
}

package io.lmforge.eval.report;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.knowm.xchart.style.Styler;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** PNG charts of the report, drawn with XChart (headless AWT). */
public final class Charts {
    private Charts() {
    }

    public static void bars(Path png, String title, String yTitle, Map<String, Map<String, Double>> seriesByName, int width) throws IOException {
        CategoryChart chart = new CategoryChartBuilder().width(width).height(420).title(title).yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setXAxisLabelRotation(90);
        chart.getStyler().setYAxisDecimalPattern("0.00");
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        for (Map.Entry<String, Map<String, Double>> s : seriesByName.entrySet()) {
            chart.addSeries(s.getKey(), List.copyOf(s.getValue().keySet()), List.copyOf(s.getValue().values()));
        }
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    public static void lines(Path png, String title, String xTitle, String yTitle, Map<String, double[][]> series) throws IOException {
        lines(png, title, xTitle, yTitle, series, Double.NaN);
    }

    /** As {@link #lines(Path, String, String, String, Map)}, with the y axis starting at {@code yMin} (NaN: automatic). */
    public static void lines(Path png, String title, String xTitle, String yTitle, Map<String, double[][]> series, double yMin) throws IOException {
        lines(png, title, xTitle, yTitle, series, yMin, Double.NaN);
    }

    /**
     * Line series {x[], y[]} or {x[], y[], error bar[]} (drawn as ± bars), with the y axis from {@code yMin} to {@code yMax}
     * (NaN: automatic). A series whose name starts with "--" is drawn dashed without markers: reference lines (chance, a
     * baseline); "-- ~" also keeps it out of the legend (chunk boundaries, one per chunk).
     */
    public static void lines(Path png, String title, String xTitle, String yTitle, Map<String, double[][]> series, double yMin, double yMax)
            throws IOException {
        XYChart chart = new XYChartBuilder().width(720).height(420).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        if (!Double.isNaN(yMin)) {
            chart.getStyler().setYAxisMin(yMin);
        }
        if (!Double.isNaN(yMax)) {
            chart.getStyler().setYAxisMax(yMax);
        }
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setYAxisDecimalPattern("0.00");
        chart.getStyler().setXAxisDecimalPattern("#,##0");
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        for (Map.Entry<String, double[][]> s : series.entrySet()) {
            boolean reference = s.getKey().startsWith("--");
            String name = reference ? s.getKey().substring(2).strip() : s.getKey();
            double[][] d = s.getValue();
            XYSeries added = d.length > 2 ? chart.addSeries(name, d[0], d[1], d[2]) : chart.addSeries(name, d[0], d[1]);
            if (reference) {
                added.setLineStyle(SeriesLines.DASH_DASH);
                added.setMarker(SeriesMarkers.NONE);
                added.setShowInLegend(!name.startsWith("~"));
            }
        }
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /** A heat map: one row per y label, one column per x label, each cell colored by its value (NaN: no value). */
    public static void heatMap(Path png, String title, List<String> xLabels, List<String> yLabels, double[][] values) throws IOException {
        HeatMapChart chart = new HeatMapChartBuilder().width(Math.max(480, 90 * xLabels.size() + 200)).height(Math.max(300, 16 * yLabels.size() + 140))
                .title(title).build();
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setShowValue(false);
        chart.getStyler().setDecimalPattern("0.00");
        List<Number[]> cells = new java.util.ArrayList<>();
        for (int x = 0; x < xLabels.size(); x++) {
            for (int y = 0; y < yLabels.size(); y++) {
                if (!Double.isNaN(values[y][x])) {
                    cells.add(new Number[]{x, y, values[y][x]});
                }
            }
        }
        chart.addSeries("value", xLabels, yLabels, cells);
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}

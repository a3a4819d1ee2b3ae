package io.lmforge.eval.report;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
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
        XYChart chart = new XYChartBuilder().width(720).height(420).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        if (!Double.isNaN(yMin)) {
            chart.getStyler().setYAxisMin(yMin);
        }
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setYAxisDecimalPattern("0.00");
        chart.getStyler().setXAxisDecimalPattern("#,##0");
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        for (Map.Entry<String, double[][]> s : series.entrySet()) {
            chart.addSeries(s.getKey(), s.getValue()[0], s.getValue()[1]);
        }
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}

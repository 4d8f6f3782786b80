package dev.asyncsocket.examples.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The median of several rounds and their spread. Immutable. */
record Summary(double median, double min, double max) {

    static Summary of(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        return new Summary(median, sorted.get(0), sorted.get(n - 1));
    }

    /** Half the range, as a percentage of the median. */
    double spreadPercent() {
        return median == 0 ? 0 : (max - min) / 2 / median * 100;
    }
}

package io.tidegate.plugins.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleCounterBuilder;
import io.opentelemetry.api.metrics.DoubleGaugeBuilder;
import io.opentelemetry.api.metrics.DoubleHistogramBuilder;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongCounterBuilder;
import io.opentelemetry.api.metrics.LongUpDownCounterBuilder;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.metrics.ObservableLongCounter;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;
import io.opentelemetry.context.Context;
import io.tidegate.plugin.api.DropCounter;
import java.util.function.Consumer;

/**
 * How dropped spans reach {@code services.droppedEntries()}: the SDK's BatchSpanProcessor reports
 * its own work through a MeterProvider (its "legacy" internal telemetry, pinned by
 * {@link TracerHolder}): counter {@code processedSpans}, incremented with {@code dropped=true}
 * for each span it could not queue because the queue was full (or it was shut down). This
 * provider is no-op for everything except that counter, whose dropped increments it forwards to
 * the gateway's drop counter. No metrics SDK is involved.
 */
final class DropCountingMeterProvider implements MeterProvider {
    static final AttributeKey<Boolean> DROPPED = AttributeKey.booleanKey("dropped");

    private final DropCounter drops;

    DropCountingMeterProvider(DropCounter drops) {
        this.drops = drops;
    }

    @Override
    public io.opentelemetry.api.metrics.MeterBuilder meterBuilder(String name) {
        Meter meter = get(name);
        return new io.opentelemetry.api.metrics.MeterBuilder() {
            @Override
            public io.opentelemetry.api.metrics.MeterBuilder setSchemaUrl(String schemaUrl) {
                return this;
            }

            @Override
            public io.opentelemetry.api.metrics.MeterBuilder setInstrumentationVersion(String version) {
                return this;
            }

            @Override
            public Meter build() {
                return meter;
            }
        };
    }

    @Override
    public Meter get(String name) {
        Meter noop = MeterProvider.noop().get(name);
        return new Meter() {
            @Override
            public LongCounterBuilder counterBuilder(String instrument) {
                return "processedSpans".equals(instrument) ? new DroppedSpans(noop.counterBuilder(instrument)) : noop.counterBuilder(instrument);
            }

            @Override
            public LongUpDownCounterBuilder upDownCounterBuilder(String instrument) {
                return noop.upDownCounterBuilder(instrument);
            }

            @Override
            public DoubleHistogramBuilder histogramBuilder(String instrument) {
                return noop.histogramBuilder(instrument);
            }

            @Override
            public DoubleGaugeBuilder gaugeBuilder(String instrument) {
                return noop.gaugeBuilder(instrument);
            }
        };
    }

    private final class DroppedSpans implements LongCounterBuilder {
        private final LongCounterBuilder noop;

        DroppedSpans(LongCounterBuilder noop) {
            this.noop = noop;
        }

        @Override
        public LongCounterBuilder setDescription(String description) {
            return this;
        }

        @Override
        public LongCounterBuilder setUnit(String unit) {
            return this;
        }

        @Override
        public DoubleCounterBuilder ofDoubles() {
            return noop.ofDoubles();
        }

        @Override
        public LongCounter build() {
            return new LongCounter() {
                @Override
                public void add(long value) {
                }

                @Override
                public void add(long value, Attributes attributes) {
                    if (Boolean.TRUE.equals(attributes.get(DROPPED))) {
                        drops.add(value);
                    }
                }

                @Override
                public void add(long value, Attributes attributes, Context context) {
                    add(value, attributes);
                }
            };
        }

        @Override
        public ObservableLongCounter buildWithCallback(Consumer<ObservableLongMeasurement> callback) {
            return noop.buildWithCallback(callback);
        }
    }
}

// Stand-ins for the annotations of Strimzi's CRD generator (io.strimzi:crd-generator, which is not
// published to Maven Central). Strimzi's API model (io.strimzi:api) carries them on its getters; with
// these on the class path Java reflection can read them, so StrimziModelCheck applies the same
// per-version presence, required-ness and bounds the generator writes into Strimzi's CRDs. Only the
// element each check reads is declared: `value`, with the type the compiled classes use.
package io.strimzi.crdgenerator.annotations;

import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;

@Retention(RetentionPolicy.RUNTIME)
@interface PresentInVersions {
  String value();
}

@Retention(RetentionPolicy.RUNTIME)
@interface RequiredInVersions {
  String value();
}

@Retention(RetentionPolicy.RUNTIME)
@interface Minimum {
  int value();
}

@Retention(RetentionPolicy.RUNTIME)
@interface Maximum {
  int value();
}

@Retention(RetentionPolicy.RUNTIME)
@interface MinimumItems {
  int value();
}

@Retention(RetentionPolicy.RUNTIME)
@interface Pattern {
  String value();
}

#!/usr/bin/env nextflow
/*
 * scnetflow: scNET (dual-view GNN on scRNA-seq + PPI) for many samples.
 *
 *   nextflow run main.nf -profile test --outdir results
 *   nextflow run main.nf --input samplesheet.csv --outdir results -profile gpu,docker
 *   nextflow run main.nf --help
 */

include { SCNETFLOW               } from './workflows/scnetflow'
include { PIPELINE_INITIALISATION } from './subworkflows/local/utils_scnetflow'
include { PIPELINE_COMPLETION     } from './subworkflows/local/utils_scnetflow'

workflow {
    main:
    PIPELINE_INITIALISATION()

    SCNETFLOW(
        PIPELINE_INITIALISATION.out.samplesheet,
        PIPELINE_INITIALISATION.out.contrasts,
        PIPELINE_INITIALISATION.out.ppi,
        PIPELINE_INITIALISATION.out.gmt,
        PIPELINE_INITIALISATION.out.disease_gmt,
        PIPELINE_INITIALISATION.out.multiqc_config,
    )

    PIPELINE_COMPLETION()
}

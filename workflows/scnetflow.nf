/*
 * scnetflow: per-sample QC -> graphs -> scNET training, then downstream analyses, a report and MultiQC.
 */

include { CHECK_SAMPLESHEET } from '../modules/local/check_samplesheet/main'
include { QC                } from '../modules/local/qc/main'
include { GRAPHS            } from '../modules/local/graphs/main'
include { TRAIN             } from '../modules/local/train/main'
include { CLUSTER_EVAL      } from '../modules/local/cluster_eval/main'
include { COEMBED           } from '../modules/local/coembed/main'
include { EVALUATE_NETWORK  } from '../modules/local/evaluate_network/main'
include { PROPAGATE         } from '../modules/local/propagate/main'
include { DIFFNET           } from '../modules/local/diffnet/main'
include { GSEA              } from '../modules/local/gsea/main'
include { REPORT            } from '../modules/local/report/main'
include { MULTIQC           } from '../modules/local/multiqc/main'

/*
 * Output files as [sample, step, file] for the report, which reads the published layout.
 */
def asLayout(ch, String step) {
    return ch.map { meta, f -> [meta.id, step, f] }
}

workflow SCNETFLOW {

    take:
    samplesheet     // path: samplesheet CSV
    contrasts       // path or []: contrasts CSV
    ppi             // path or []: PPI table
    gmt             // path or []: gene sets for GSEA and pathway reconstruction
    disease_gmt     // path or []: disease gene lists for the network z-scores
    multiqc_config  // path or []: MultiQC config

    main:
    ch_versions = Channel.empty()
    ch_results  = Channel.empty()   // [sample, step, file] for the report

    //
    // Validate the samplesheet (Python); every other task depends on its output.
    //
    CHECK_SAMPLESHEET(samplesheet, contrasts)
    ch_versions = ch_versions.mix(CHECK_SAMPLESHEET.out.versions)

    ch_samples = CHECK_SAMPLESHEET.out.csv
        .splitCsv(header: true)
        .map { row ->
            def meta = [id: row.sample, condition: row.condition, species: row.species, label_key: row.label_key]
            [meta, file(row.input, checkIfExists: true)]
        }

    //
    // Per sample, in parallel: QC -> graphs -> train.
    //
    QC(ch_samples)
    GRAPHS(QC.out.h5ad, ppi)
    TRAIN(GRAPHS.out.h5ad)
    ch_versions = ch_versions.mix(QC.out.versions, GRAPHS.out.versions, TRAIN.out.versions)
    ch_results = ch_results.mix(
        asLayout(QC.out.json, 'qc'),
        asLayout(GRAPHS.out.json, 'graphs'),
        asLayout(TRAIN.out.h5ad, 'train'),
        asLayout(TRAIN.out.history, 'train'),
        asLayout(TRAIN.out.json, 'train'),
    )

    //
    // Downstream analyses.
    //
    if (!params.skip_cluster_eval) {
        CLUSTER_EVAL(TRAIN.out.h5ad)
        ch_versions = ch_versions.mix(CLUSTER_EVAL.out.versions)
        ch_results = ch_results.mix(asLayout(CLUSTER_EVAL.out.tsv, 'cluster-eval'), asLayout(CLUSTER_EVAL.out.json, 'cluster-eval'))
    }

    if (!params.skip_coembed) {
        COEMBED(TRAIN.out.gene_embeddings.join(TRAIN.out.h5ad, failOnMismatch: true))
        ch_versions = ch_versions.mix(COEMBED.out.versions)
        ch_results = ch_results.mix(
            asLayout(COEMBED.out.modularity, 'coembed'),
            asLayout(COEMBED.out.communities, 'coembed'),
        )

        if (!params.skip_evaluate_network) {
            EVALUATE_NETWORK(COEMBED.out.edges.join(COEMBED.out.coexpr_edges, failOnMismatch: true), ppi, gmt, disease_gmt)
            ch_versions = ch_versions.mix(EVALUATE_NETWORK.out.versions)
            ch_results = ch_results.mix(
                asLayout(EVALUATE_NETWORK.out.pathway_auc, 'evaluate-network'),
                asLayout(EVALUATE_NETWORK.out.disease_zscores, 'evaluate-network'),
                asLayout(EVALUATE_NETWORK.out.json, 'evaluate-network'),
            )
        }

        if (!params.skip_propagate) {
            PROPAGATE(COEMBED.out.edges)
            ch_versions = ch_versions.mix(PROPAGATE.out.versions)
            ch_results = ch_results.mix(asLayout(PROPAGATE.out.tsv, 'propagate'))
        }
    }

    if (!params.skip_diffnet) {
        // Pair every sample of condition A with every sample of condition B, per contrast.
        ch_contrasts = CHECK_SAMPLESHEET.out.contrasts
            .splitCsv(header: true)
            .map { row -> [row.condition_a, row.condition_b, row.contrast] }
        ch_by_condition = TRAIN.out.gene_embeddings.map { meta, f -> [meta.condition, meta, f] }
        ch_pairs = ch_contrasts
            .combine(ch_by_condition)
            .filter { cond_a, _cond_b, _contrast, cond, _meta, _f -> cond == cond_a }
            .map { _cond_a, cond_b, contrast, _cond, meta, f -> [cond_b, contrast, meta, f] }
            .combine(ch_by_condition)
            .filter { cond_b, _contrast, _meta_a, _f_a, cond, _meta_b, _f_b -> cond == cond_b }
            .map { _cond_b, contrast, meta_a, f_a, _cond, meta_b, f_b ->
                def meta = [id: "${meta_a.id}_vs_${meta_b.id}".toString(), contrast: contrast, sample_a: meta_a.id, sample_b: meta_b.id]
                [meta, f_a, f_b]
            }
        DIFFNET(ch_pairs)
        ch_versions = ch_versions.mix(DIFFNET.out.versions)
        ch_results = ch_results.mix(asLayout(DIFFNET.out.edges, 'diffnet'), asLayout(DIFFNET.out.genes, 'diffnet'))
    }

    if (!params.skip_gsea) {
        GSEA(TRAIN.out.h5ad.join(TRAIN.out.reconstructed, failOnMismatch: true), gmt)
        ch_versions = ch_versions.mix(GSEA.out.versions)
        ch_results = ch_results.mix(asLayout(GSEA.out.celltype, 'gsea'), asLayout(GSEA.out.conditions, 'gsea'))
    }

    //
    // Software versions, collected once; then the report and MultiQC.
    //
    // Every task's versions.yml, sorted by path: stable across -resume (cached tasks keep their paths).
    ch_versions_sorted = ch_versions.toSortedList { a, b -> a.toString() <=> b.toString() }
    ch_versions_yml = ch_versions
        .unique { f -> f.text }
        .collectFile(name: 'scnetflow_software_mqc_versions.yml', storeDir: "${params.outdir}/pipeline_info", sort: true, newLine: true)

    ch_report = Channel.empty()
    ch_mqc_extra = ch_versions_yml
    if (!params.skip_report) {
        // Sorted so that the task hash, and so -resume, does not depend on completion order.
        ch_report_in = ch_results
            .map { sample, step, f -> [sample, step, f.name, f] }
            .toSortedList { a, b -> "${a[0]}/${a[1]}/${a[2]}" <=> "${b[0]}/${b[1]}/${b[2]}" }
            .filter { rows -> rows.size() > 0 }   // nothing to report after a failed samplesheet check
            .map { rows -> [[id: 'report'], rows.collect { row -> row[3] }, rows.collect { row -> "${row[0]}/${row[1]}/${row[2]}".toString() }] }
        REPORT(ch_report_in, ch_versions_sorted)
        ch_report = REPORT.out.html
        // The report collates versions and per-sample statistics for MultiQC.
        ch_mqc_extra = REPORT.out.general_stats.mix(REPORT.out.software_versions)
    }

    ch_multiqc_report = Channel.empty()
    if (!params.skip_multiqc) {
        ch_multiqc_in = ch_mqc_extra
            .toSortedList { a, b -> a.name <=> b.name }
            .filter { files -> files.size() > 0 }
            .map { files -> [[id: 'multiqc'], files] }
        MULTIQC(ch_multiqc_in, multiqc_config)
        ch_multiqc_report = MULTIQC.out.report
    }

    emit:
    samples        = CHECK_SAMPLESHEET.out.csv
    scnet          = TRAIN.out.h5ad
    report         = ch_report
    multiqc_report = ch_multiqc_report
    versions       = ch_versions
}
